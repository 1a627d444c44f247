"""The asset-liability statement (``gep statement``): a job like a GEP run, its folder staged and published
whole, its inputs copied under ``inputs/`` and the statement computed from the copies, with a manifest that
``gep verify`` recomputes (:data:`STATEMENT`)."""
from __future__ import annotations

import shlex
from pathlib import Path

from ..accounting import Options, account
from ..inventory import is_workbook, load_inventory
from ..jobfolder import (GRID_DIR, GRID_NAME, PRICE_INDICES_NAME, FigureFile, Job, JobInputs, copy_job_inputs,
                         created_now, differing_choices, grid_of_inventory, job_registers, refuse_existing,
                         shown_method, staged, unique_names, write_manifest)
from ..method import DEFAULT_METHOD
from ..outputs import write_csv


def statement_command(inventory_name: str, registers: list[str], start: int, end: int, region: str | None,
                      rate: float | None, asset_life: float | None, lang: str = "zh", grid: bool = False,
                      method: str = DEFAULT_METHOD) -> str:
    """The statement command as shown in reports and the manifest: no output folder, registers by name."""
    parts = ["gep", "statement", inventory_name, "--from", str(start), "--to", str(end)]
    if region:
        parts += ["--region", region]
    if method != DEFAULT_METHOD:
        parts += ["--method", method]
    for name in registers:
        parts += ["--coefficients", name]
    if rate is not None:
        parts += ["--discount-rate", repr(rate)]
    if asset_life is not None:
        parts += ["--asset-life", repr(asset_life)]
    if lang != "zh":
        parts += ["--lang", lang]
    if grid:
        parts += ["--grid", GRID_NAME]
    return " ".join(shlex.quote(p) for p in parts)


def run_statement(inventory_path: str | Path, out: str | Path, start: int, end: int, region: str | None = None,
                  coefficient_files: tuple[str, ...] = (), rate: float | None = None,
                  asset_life: float | None = None, overwrite: bool = False, command: str = "",
                  base_register: str | Path | None = None, inventory_name: str | None = None,
                  price_indices: str | Path | None = None, lang: str = "zh", grid: str | Path | None = None,
                  method: str | Path | None = None) -> Path:
    """The asset-liability statement of ``region`` (default: the top-level region) for ``start`` → ``end``,
    written into ``out`` like a run: inputs copied under ``inputs/`` and the statement computed from the
    copies, staged, never silently overwriting, with a manifest that ``gep verify`` recomputes."""
    from ..assets.statement import DEFAULT_LIFE, DEFAULT_RATE, build_statement, check_region
    from ..render.statement import statement_html, write_statement_excel

    inventory_path, out = Path(inventory_path), Path(out)
    refuse_existing(out, overwrite)
    workbook = is_workbook(inventory_path)
    registers = job_registers(base_register, coefficient_files)
    register_names = unique_names(registers)
    inventory_name = inventory_name or inventory_path.name
    grid = grid_of_inventory(inventory_path, str(grid) if grid else None)
    shown_command = statement_command(inventory_name, register_names[1:], start, end, region, rate, asset_life, lang,
                                      grid=bool(grid), method=shown_method(method))
    with staged(out) as stage:
        staging = stage.path
        copied = copy_job_inputs(staging, registers, method, inventory_path, price_indices, grid)
        grid_copy, method_copy, method_used = copied.grid, copied.method_file, copied.method
        inventory = load_inventory(copied.inventory, shown_as=inventory_path)
        if region is not None:  # before the accounts, which take a while on a county
            check_region(inventory, region)
        register = copied.register(shown_as=registers)
        results = account(inventory, register, Options(price_indices=str(copied.price_indices),
                                                       price_indices_shown=str(price_indices) if price_indices else None,
                                                       grid=str(grid_copy) if grid_copy else None, method=method_used))
        st = build_statement(inventory, register, results, region or results.county_code, start, end,
                             rate if rate is not None else DEFAULT_RATE,
                             asset_life if asset_life is not None else DEFAULT_LIFE)
        write_csv(st.summary, staging / "statement_summary.csv")
        write_csv(st.monetary.account.reset_index(names="row"), staging / "asset_account.csv")
        for name, acc in st.physical.items():
            write_csv(acc.table.reset_index(names="row"), staging / f"physical_{name}.csv")
            write_csv(acc.by_cause.reset_index(names="cause"), staging / f"physical_{name}_by_cause.csv")
        write_csv(st.change_matrix.reset_index(names="from"), staging / "change_matrix.csv")
        write_csv(st.condition, staging / "condition_account.csv")
        write_csv(pd_concat([st.liabilities_start.assign(balance="opening"),
                             st.liabilities_end.assign(balance="closing")]), staging / "liabilities.csv")
        write_csv(st.sensitivity, staging / "discount_rate_sensitivity.csv")
        write_csv(st.monetary.npv, staging / "expected_flows_npv.csv")
        write_csv(st.monetary.entries, staging / "asset_account_entries.csv")
        (staging / "statement.html").write_text(statement_html(st, shown_command, lang), encoding="utf-8", newline="\n")
        write_statement_excel(staging / "statement.xlsx", st, shown_command, lang)
        write_manifest(staging, command or shown_command, shown_command,
                       {"kind": "statement", "base_register": register_names[0], "coefficients": register_names[1:],
                        "method": method_copy.name, "method_name": method_used.name,
                        "method_differs_from_default": differing_choices(method_used),
                        "region": region, "region_used": st.region, "start": start, "end": end, "discount_rate": rate,
                        "asset_life": asset_life, "discount_rate_used": st.rate, "asset_life_used": st.asset_life,
                        "price_indices": PRICE_INDICES_NAME, "lang": lang,
                        **({"grid": f"{GRID_DIR}/{GRID_NAME}"} if grid_copy else {})},
                       {"name": inventory_name, "kind": "workbook" if workbook else "folder"},
                       copied.files, copied.registers, created=created_now())
    return out


def pd_concat(frames):
    import pandas as pd
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def recompute_statement(inputs: JobInputs, out: Path, command: str) -> None:
    """Compute a statement folder again from its copies, with its recorded options, into ``out``."""
    o = inputs.options
    run_statement(inputs.inventory_path, out, int(o["start"]), int(o["end"]), o.get("region"),
                  tuple(inputs.registers), o.get("discount_rate"), o.get("asset_life"),
                  base_register=inputs.base, inventory_name=inputs.name, price_indices=inputs.price_indices,
                  lang=inputs.lang, grid=inputs.grid, command=command, method=inputs.method_file)


#: ``gep statement``: the asset-liability statement of a region between two years
STATEMENT = Job(
    kind="statement",
    recompute=recompute_statement,
    figure_files=(
        FigureFile("statement_summary.csv", ("item",), ("*_yuan",)),
        FigureFile("asset_account.csv", ("row",)),
        FigureFile("liabilities.csv", ("balance", "liability", "indicator"),
                   ("target", "actual", "quantity", "value_yuan")),
    ),
    options=("start", "end"),
    accounts_inventory=True,  # gep diff compares the GEP accounts a statement is built on
)
