"""The jobs of gep: every command that writes a job folder, declared once (:class:`gep.jobfolder.Job`).

========================  ==========================================  ======================================
job (manifest kind)       module                                      what its folder holds
========================  ==========================================  ======================================
``run``                   :mod:`gep.jobs.run`                         the GEP accounts and their reports
``statement``             :mod:`gep.jobs.statement`                   the asset-liability statement
``trade``                 :mod:`gep.jobs.valuation`                   a trading valuation of a request
``compensation``          :mod:`gep.jobs.valuation`                   a water compensation
========================  ==========================================  ======================================

``gep verify``, ``gep pack`` and ``gep diff`` (:mod:`gep.audit`, :mod:`gep.diff`) read a folder's manifest,
ask :func:`job_of` which job wrote it and let the job recompute it (:func:`recompute`) and name the figures to
compare. A new job is a new module here that writes its folder with :mod:`gep.jobfolder` and declares its
:class:`~gep.jobfolder.Job`, plus one line in :data:`JOBS`; no other job changes.
"""
from __future__ import annotations

from pathlib import Path

from ..jobfolder import MANIFEST, AuditError, Job, JobInputs, read_manifest
from .run import RUN
from .statement import STATEMENT
from .valuation import COMPENSATION, TRADE

#: every job, by the kind its manifest records (a ``gep run`` manifest records none)
JOBS: dict[str, Job] = {job.kind: job for job in (RUN, STATEMENT, TRADE, COMPENSATION)}


def job_of(manifest: dict, folder: Path | None = None) -> Job:
    """The job that wrote the folder of ``manifest`` (named ``folder`` in messages)."""
    kind = manifest.get("options", {}).get("kind", RUN.kind)
    if kind not in JOBS:
        where = f"{folder / MANIFEST}: " if folder is not None else ""
        raise AuditError(f"{where}a folder of kind '{kind}' is not one this gep writes ({', '.join(JOBS)}); "
                         f"open it with the gep that made it")
    return JOBS[kind]


def recompute(folder: Path, out: Path, manifest: dict | None = None) -> Path:
    """Compute a job folder again into ``out`` from the inputs it keeps, with its recorded options, by the job
    that wrote it."""
    manifest = manifest or read_manifest(folder)
    job = job_of(manifest, folder)
    job.check_options(folder, manifest)
    inputs = JobInputs.of(folder, manifest)
    job.recompute(inputs, out, f"gep verify (recomputation of {manifest.get('reproducible_command', '')})")
    return out
