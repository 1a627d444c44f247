"""Writing one output in a second process while this one writes the others.

A run's writers are independent once the account is computed: each reads the results and writes its own files
in the staging folder. Two of them, the formula workbook (300 000 cells) and the trace table, take about as
long as all the others together, so on a machine with two cores a run writes them in a forked child while the
parent writes the rest, and waits for the child before it publishes the folder.

The child is a fork: it shares the computed results without copying or pickling them, and it leaves with
``os._exit`` (no atexit handler, no flush of buffers inherited from the parent). Its error, if any, comes back
through a pipe and is raised in the parent, so a failing writer fails the run as it would without the child.
Where fork is not available (Windows), where other Python threads are running (a fork copies their locks in
whatever state they are in; a gridded run leaves dask's pool of threads alive, so it writes in one process) or
where ``GEP_SERIAL_WRITERS`` is set to any value (profiling, debugging), the writer runs in this process instead,
before the others. Either way the files are the same bytes. Threads of compiled libraries are not counted:
pyarrow's and OpenBLAS's pools are set up again in a forked child by their own fork handlers.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable


class WriterFailed(RuntimeError):
    """A writer in the child process failed with an error that could not be carried back as it was."""


def beside(task: Callable[[], object]) -> Callable[[], None]:
    """Start ``task`` in a child process and return ``wait``: ``wait()`` waits for the child and raises its
    error; ``wait(abandon=True)`` stops the child (used when the parent itself has failed).

    Without fork, with other threads running or with ``GEP_SERIAL_WRITERS`` set, ``task`` runs now, in this
    process, and ``wait`` does nothing."""
    if not hasattr(os, "fork") or threading.active_count() > 1 or os.environ.get("GEP_SERIAL_WRITERS"):
        task()
        return lambda abandon=False: None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the task, send back its error, leave without running the parent's exit code
        os.close(read)
        code = 0
        try:
            task()
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
            code = 1
            # the child's traceback, which pickling drops: the parent's log then names the writer's line
            error.add_note("in the writer process:\n" + "".join(traceback.format_tb(error.__traceback__)))
            try:  # pickle carries only this run's own error, through its own pipe: no outside data is read
                payload = pickle.dumps(error)
                pickle.loads(payload)  # some errors pickle but cannot be made again from their arguments
            except Exception:  # noqa: BLE001 - such an error goes back as its traceback
                payload = pickle.dumps(WriterFailed("".join(traceback.format_exception(error))))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(code)
    os.close(write)

    def wait(abandon: bool = False) -> None:
        try:
            if abandon:
                os.kill(pid, signal.SIGTERM)
            with os.fdopen(read, "rb") as pipe:  # read before waiting: a large error must not block the child
                payload = pipe.read()
            _, status = os.waitpid(pid, 0)
        except BaseException:  # interrupted while waiting (Ctrl-C): the child must not write on into the staging
            with contextlib.suppress(OSError):  # folder the run is about to remove
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            raise
        code = os.waitstatus_to_exitcode(status)
        if abandon or code == 0:
            return
        if payload:
            raise pickle.loads(payload)
        raise WriterFailed(f"the writer process ended with exit code {code} and no error")

    return wait
