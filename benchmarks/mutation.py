"""Mutation testing of the formulas, calculators, asset accounts and trading (a development tool, not CI).

    python benchmarks/mutation.py run            # mutmut run, with the unit-checked formulas mutated too
    python benchmarks/mutation.py run --sample 100   # only 100 mutants of each package, drawn at random
    python benchmarks/mutation.py score          # killed / generated for each package
    python benchmarks/mutation.py survivors      # every surviving mutant by module and function, with its diff

mutmut is configured in pyproject.toml ([tool.mutmut]: what is mutated, which fast tests run); its results
stay in mutants/ (git-ignored). ``mutmut show NAME`` prints one mutant, ``mutmut browse`` browses them.

Why a wrapper and not ``mutmut run``: mutmut 3 leaves every decorated function unmutated (a copy of a
decorator may have side effects, and ``@property`` breaks its trampoline), which here would leave out the
formulas themselves, since each checks its units with ``@check_units(...)``. That decorator only checks and
converts its arguments when called, so copying it onto the original and each mutant is harmless (the
trampoline keeps it too: units are checked once more inside, with the same result). ``run`` therefore lets
mutmut mutate functions whose only decorators are ``check_units``, and nothing else changes: the decorator's
own arguments stay unmutated, ``# pragma: no mutate`` still applies, other decorated functions
(``@property``, ``@functools.cached_property``) are still left out.
"""
from __future__ import annotations

import collections
import collections.abc
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: the packages the score is given for; the calculators are reported apart from the formulas of gep/services
PACKAGES = ("calculators", "gep/services (formulas)", "gep/assets", "gep/trading")


def package_of(path: str) -> str:
    """The package a source file counts towards: the calculators are the service tables and their registry."""
    p = Path(path)
    if p.parent == Path("gep/services"):
        if p.name.endswith("_tables.py") or p.name in ("tables.py", "calculators.py"):
            return "calculators"
        return "gep/services (formulas)"
    return str(p.parent)


def _allow_check_units() -> None:
    """Let mutmut mutate functions decorated only with ``@check_units(...)`` (see the module docstring)."""
    import libcst as cst
    from mutmut.mutation.file_mutation import MutationVisitor

    def is_check_units(decorator: cst.Decorator) -> bool:
        d = decorator.decorator
        d = d.func if isinstance(d, cst.Call) else d
        return (isinstance(d, cst.Name) and d.value == "check_units") or \
            (isinstance(d, cst.Attribute) and d.attr.value == "check_units")

    skip = MutationVisitor._skip_node_and_children

    def skip_node_and_children(self, node):
        if isinstance(node, cst.FunctionDef) and node.decorators and all(map(is_check_units, node.decorators)):
            # mutmut's own rules, asked as if the function were undecorated: libcst nodes are frozen, so the
            # decorators are lifted for the call and put back (the node keeps its identity, and so its metadata)
            decorators = node.decorators
            object.__setattr__(node, "decorators", ())
            try:
                return skip(self, node)
            finally:
                object.__setattr__(node, "decorators", decorators)
        return skip(self, node)

    MutationVisitor._skip_node_and_children = skip_node_and_children


def generate() -> None:
    """Write mutants/ as ``mutmut run`` would before it runs anything (files unchanged since are kept)."""
    from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants

    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    create_mutants(os.cpu_count() or 2)


def sample(n: int, seed: int = 0) -> list[str]:
    """The first ``n`` mutants of each package in a shuffle fixed by ``seed``: a larger ``n`` keeps the mutants
    of a smaller one, so a sampled run can be extended (mutmut keeps each result)."""
    import random

    by_package = collections.defaultdict(list)
    for path, statuses in results().items():
        by_package[package_of(path)] += sorted(statuses)
    picked = []
    for pkg in sorted(by_package):
        names = sorted(by_package[pkg])
        random.Random(f"{seed}:{pkg}").shuffle(names)
        picked += names[:n]
    return picked


def _fresh_parametrize_ids() -> None:
    """Let each pytest session in this process name parametrized tests as a fresh process would.

    mutmut runs pytest many times in one process (and in its forks). pytest caches the ids it made for a
    parametrize mark on the mark and escapes them again in the next session, so an id with a non-ASCII
    character (``trade.area:'亩' is not a number…``) is ``\\u4ea9`` the second time, and the node ids
    mutmut recorded are "not found" (pytest 9.2). Dropping the cache where the ids are a list or a function (the
    cache only matters for a one-shot iterator) gives back the ids of the first session.
    """
    from _pytest.python import Metafunc

    parametrize = Metafunc.parametrize

    def fresh(self, *args, _param_mark=None, **kwargs):
        source = getattr(_param_mark, "_param_ids_from", None)
        if source is not None and not isinstance(source.kwargs.get("ids"), collections.abc.Iterator):
            object.__setattr__(source, "_param_ids_generated", None)
        return parametrize(self, *args, _param_mark=_param_mark, **kwargs)

    Metafunc.parametrize = fresh


def run(args: list[str]) -> int:
    _allow_check_units()
    _fresh_parametrize_ids()
    from mutmut.__main__ import cli
    if args[:1] == ["--sample"]:
        generate()  # the sample is drawn from the mutants of the current source
        status = {name: st for statuses in results().values() for name, st in statuses.items()}
        # mutmut reruns every mutant it is given by name: give it only those of the sample not yet checked
        args = [*args[2:], *(name for name in sample(int(args[1])) if status[name] == "not checked")]
    return cli.main(["run", *args], prog_name="mutmut", standalone_mode=False) or 0


def results() -> dict[str, dict[str, str]]:
    """{source file: {mutant name: status}} from mutmut's results in mutants/."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    out = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        out[str(path)] = {k: status_by_exit_code[v] for k, v in data.exit_code_by_key.items()}
    return out


def score() -> None:
    """Killed / generated for each package; "no tests" (no fast test reaches the code) counts as surviving.

    After a sampled run (mutants left "not checked") the score is killed / checked, with its 95 % interval
    (normal approximation); the total then weighs each package's score by its number of mutants.
    """
    counts = collections.defaultdict(collections.Counter)
    for path, statuses in results().items():
        for status in statuses.values():
            counts[package_of(path)][status] += 1
    cols = ("killed", "survived", "no tests", "timeout", "suspicious", "segfault", "not checked")
    print(f"| package | generated | {' | '.join(cols)} | score |")
    print("|---|---:|" + "---:|" * len(cols) + "---:|")
    totals, weighted, weights = collections.Counter(), 0.0, 0
    for pkg in (*PACKAGES, "total"):
        c = counts[pkg] if pkg != "total" else totals
        c["killed"] += c.pop("caught by type check", 0)
        generated = sum(c.values())
        checked = generated - c["not checked"]
        extra = {k: c[k] for k in set(c) - set(cols)}  # a status this table does not know: shown, not dropped
        if pkg == "total":
            p = weighted / weights if weights else 0.0
        else:
            totals.update(c)
            p = c["killed"] / checked if checked else 0.0
            weighted, weights = weighted + p * generated, weights + (generated if checked else 0)
        pct = f"{100 * p:.1f} %" if checked else "–"
        if checked < generated and checked and pkg != "total":
            pct += f" ± {196 * (p * (1 - p) / checked) ** 0.5:.1f} (of {checked} checked)"
        elif checked < generated and pkg == "total":
            pct += " (weighted by package)"
        cells = " | ".join(str(c[k]) for k in cols)
        print(f"| {pkg} | {generated} | {cells} | {pct} |" + (f" also {extra}" if extra else ""))


def survivors() -> None:
    """Every mutant checked and not killed, grouped by module and function, with the changed lines of its diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    for path, statuses in sorted(results().items()):
        left = {k: s for k, s in statuses.items() if s not in ("killed", "caught by type check", "not checked")}
        if not left:
            continue
        unchecked = sum(s == "not checked" for s in statuses.values())
        print(f"\n## {path}: {len(left)} not killed of {len(statuses) - unchecked} checked"
              + (f" ({unchecked} not checked)" if unchecked else ""))
        by_function = collections.defaultdict(list)
        for name, status in left.items():
            by_function[name.rpartition("__mutmut_")[0]].append((name, status))
        for function, mutants in sorted(by_function.items()):
            print(f"\n### {function}")
            for name, status in sorted(mutants, key=lambda m: int(m[0].rpartition("_")[2])):
                diff = get_diff_for_mutant(name, path=path).splitlines()
                changed = [line for line in diff if line[:1] in "-+" and line[:3] not in ("---", "+++")]
                print(f"{name}  [{status}]")
                for line in changed:
                    print(f"    {line.rstrip()}")


if __name__ == "__main__":
    os.chdir(REPO)  # mutmut reads its configuration and results relative to the working directory
    command, *rest = sys.argv[1:] or ["score"]
    if command == "run":
        sys.exit(run(rest))
    commands = {"score": score, "survivors": survivors}
    if command not in commands:  # --help, or a mistyped command: the usage is the docstring's first lines
        print(__doc__.split("\n\n")[1] if command in ("-h", "--help") else f"unknown command {command!r}; "
              f"one of run, score, survivors (--help)", file=sys.stderr if command not in ("-h", "--help") else sys.stdout)
        sys.exit(0 if command in ("-h", "--help") else 2)
    commands[command]()
