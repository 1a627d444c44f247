"""The trading valuations (``gep trade`` and ``gep compensation``): jobs like a GEP run, their folders staged
and published whole, every input copied under ``inputs/`` (the request and monitoring files under
``inputs/request/``), the valuation computed from the copies, with a manifest that ``gep verify`` recomputes
(:data:`TRADE`, :data:`COMPENSATION`)."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np

from ..accounting import Options, account
from ..coefficients import DEFAULT_REGISTER
from ..inventory import load_inventory
from ..jobfolder import (GRID_DIR, GRID_NAME, INPUTS, INVENTORY_DIR, PRICE_INDICES_NAME, AuditError, FigureFile,
                         Job, JobInputs, copy_job_inputs, created_now, differing_choices, grid_of_inventory,
                         plain_name, refuse_existing, staged, unique_names, write_manifest)
from ..outputs import write_csv
from ..trading.request import Request, load_request
from ..trading.valuation import TRADING_REGISTER, Valuation, compensation_request, value_request


def _plain(value):
    """JSON-safe: NaN → null, numpy scalars → Python numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def run_valuation(req: Request, out: str | Path, coefficient_files: tuple[str, ...] = (), lang: str = "zh",
                  overwrite: bool = False, command: str = "", shown_command: str = "",
                  compensation: dict | None = None, base_registers: tuple[str | Path, ...] | None = None,
                  price_indices: str | Path | None = None, grid: str | Path | None = None,
                  method: str | Path | None = None) -> tuple[Path, Valuation]:
    """Value ``req`` and write ``valuation.json``, ``valuation.html``, ``valuation.xlsx``, the tables as CSV
    (``obligations.csv`` in the inventory's obligations format), a copy of every input under ``inputs/``
    and ``manifest.json``; staged and published whole like ``gep run``.

    The manifest records what :func:`recompute_trade` and :func:`recompute_compensation` need to value the
    folder again from its own ``inputs/``: ``kind`` (trade, or compensation when ``compensation`` gives the ``--amount`` text and the
    rules ``gep compensation`` built its request with), the request and monitoring files' names under
    ``inputs/request/``, the base register and every register over it in the order applied (the trading
    terms, then ``coefficient_files``), the price-index table (copied beside the inventory), ``lang`` and
    the shown command. ``base_registers`` replaces (default register, trading terms): a recomputation
    passes its folder's copies of every register there and no ``coefficient_files``; ``price_indices``
    replaces the default price-index table the same way. The seller's accounts use the inventory's grid
    (``grid``, else ``grid.yaml`` in the inventory folder), copied under ``inputs/grid/`` as a run does, so a
    valuation values the same GEP as ``gep run`` and ``gep statement`` on that inventory."""
    from ..render.valuation import valuation_html, write_valuation_excel

    out = Path(out)
    refuse_existing(out, overwrite)
    registers = [Path(p) for p in (base_registers or (DEFAULT_REGISTER, TRADING_REGISTER))]
    registers += [Path(p) for p in coefficient_files]
    with staged(out) as stage:
        request_dir = stage.path / INPUTS / "request"
        request_dir.mkdir(parents=True)
        sources = list(dict.fromkeys([req.path, *req.files()]))
        inputs = [request_dir / name for name in unique_names(sources)]
        for source, copy in zip(sources, inputs):
            shutil.copyfile(source, copy)
        options = {"kind": "trade" if compensation is None else "compensation", "request": inputs[0].name}
        if req.water:  # compute from the copy; its messages still name the user's file
            monitoring = inputs[sources.index(req.water["monitoring"])]
            req = dataclasses.replace(req, water={**req.water, "monitoring": monitoring, "monitoring_shown":
                                                  req.water.get("monitoring_shown") or req.water["monitoring"]})
            options["monitoring"] = monitoring.name
        if compensation is not None:
            options["compensation"] = compensation
        seller_inventory = Path(req.inventory) if req.inventory is not None else None
        copied = copy_job_inputs(  # carbon is valued at the profile's price basis; the seller's GEP on its grid
            stage.path, registers, method, seller_inventory, price_indices,
            grid_of_inventory(seller_inventory, str(grid) if grid else None) if seller_inventory else None)
        inputs += copied.files
        copies, method_copy, method_used = copied.registers, copied.method_file, copied.method
        options.update(base_register=copies[0].name, coefficients=[c.name for c in copies[1:]], lang=lang)
        register = copied.register(shown_as=registers)  # messages name the user's files
        options.update(method=method_copy.name, method_name=method_used.name,
                       method_differs_from_default=differing_choices(method_used))
        inventory = services = None
        if seller_inventory is not None:
            options["price_indices"] = PRICE_INDICES_NAME
            if copied.grid:
                options["grid"] = f"{GRID_DIR}/{GRID_NAME}"
            inventory = load_inventory(stage.path / INVENTORY_DIR, shown_as=req.inventory)
            services = account(inventory, register, Options(
                price_indices=str(copied.price_indices), method=method_used,
                grid=str(copied.grid) if copied.grid else None,
                price_indices_shown=str(price_indices) if price_indices else None)).services  # the user's table
        v = value_request(req, register, inventory, services, method_used)
        shown = shown_command or f"gep trade {req.path.name}"
        (stage.path / "valuation.json").write_text(
            json.dumps(_plain(v.result), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (stage.path / "valuation.html").write_text(valuation_html(v.result, v.tables, shown, lang), encoding="utf-8",
                                                   newline="\n")
        write_valuation_excel(stage.path / "valuation.xlsx", v.result, v.tables, lang)
        for name, table in v.tables.items():
            write_csv(table, stage.path / f"{name}.csv")
        write_manifest(stage.path, command or shown, shown, options,
                       {"name": req.inventory.name if req.inventory else "", "kind": "folder" if req.inventory else ""},
                       inputs, copies, created=created_now())
    return out, v


def _request_copy(inputs: JobInputs, option: str = "request") -> Path:
    """The folder's copy of its request (or monitoring) file, named by the manifest option ``option``."""
    return inputs.folder / INPUTS / "request" / plain_name(inputs.folder, inputs.options.get(option), option)


def _revalue(inputs: JobInputs, req: Request, out: Path, command: str, compensation: dict | None = None) -> None:
    """Value ``req`` again into ``out`` with the folder's own registers, price indices, grid and method."""
    run_valuation(req, out, (), inputs.lang, command=command,
                  shown_command=inputs.manifest.get("reproducible_command", ""), compensation=compensation,
                  base_registers=(inputs.base, *inputs.registers), price_indices=inputs.price_indices,
                  grid=inputs.grid, method=inputs.method_file)


def recompute_trade(inputs: JobInputs, out: Path, command: str) -> None:
    """Value a ``gep trade`` folder again from its copies: the request, its ``inventory:`` and monitoring
    paths pointed at ``inputs/``."""
    request = _request_copy(inputs)
    monitoring = _request_copy(inputs, "monitoring") if inputs.options.get("monitoring") else None
    inventory = inputs.folder / INVENTORY_DIR if inputs.manifest["inventory"].get("kind") else None
    req = load_request(request, inventory, monitoring)
    # a request copy may name other files; a recomputation reads only what the folder holds
    for named in (req.inventory, (req.water or {}).get("monitoring")):
        if named is not None and not Path(named).resolve().is_relative_to((inputs.folder / INPUTS).resolve()):
            raise AuditError(f"{request.name} names {named}, outside the folder's inputs/; a recomputation "
                             f"reads only the folder's own copies")
    _revalue(inputs, req, out, command)


def recompute_compensation(inputs: JobInputs, out: Path, command: str) -> None:
    """Value a ``gep compensation`` folder again: its request is the monitoring table itself, valued with the
    recorded ``--amount`` and rules."""
    compensation = inputs.options.get("compensation") or {}
    req = compensation_request(_request_copy(inputs), compensation.get("amount"), compensation.get("rules"))
    _revalue(inputs, req, out, command, compensation)


#: the figures of a valuation folder; a table a valuation did not write (no water, no trade) is skipped
_VALUATION_FIGURES = (
    FigureFile("payment_schedule.csv", ("instalment",), optional=True),
    FigureFile("maintenance.csv", ("contract_year",), optional=True),
    FigureFile("target_sensitivity.csv", ("target_pct",), optional=True),
    FigureFile("obligations.csv", ("区划代码", "年份", "对方"), optional=True),
    FigureFile("forest_services.csv", ("region_code", "year", "service", "indicator", "ecosystem"), optional=True),
    FigureFile("water_monthly.csv", ("section", "year", "month"), optional=True),
    FigureFile("water_yearly.csv", ("year", "upstream", "downstream"), optional=True),
    FigureFile("valuation.json"),  # every number, keyed by its path in the JSON
)
#: ``gep trade``: an indicator trade, forest carbon and water compensation, as a request file asks
TRADE = Job(kind="trade", recompute=recompute_trade, figure_files=_VALUATION_FIGURES, options=("request",))
#: ``gep compensation``: the water compensation of a monitoring table
COMPENSATION = Job(kind="compensation", recompute=recompute_compensation, figure_files=_VALUATION_FIGURES,
                   options=("request",))
