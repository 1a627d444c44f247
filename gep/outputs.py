"""Machine-readable outputs of a run: CSV tables, NetCDF, and the run manifest.

Values are written in 元 (``value_yuan``); reports convert to 万元/亿元 and say so. Files are written
deterministically (sorted rows, fixed float format, no timestamps) so two runs on the same inputs give
byte-identical files.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from . import __version__
from .accounting import Results
from .catalogue import inventory_spec, label


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")  # shortest round-trip floats


def results_dataset(results: Results) -> xr.Dataset:
    """Results as an xarray Dataset on (region, year, item, ecosystem); item = service/indicator.

    Quantities of different items have different units, so ``quantity`` carries its unit per item in
    the coordinate ``item_quantity_unit``; ``value_yuan`` is in 元 throughout.
    """
    s = results.services.copy()
    s["item"] = s["service"] + "/" + s["indicator"]
    items = s.drop_duplicates("item").set_index("item").sort_index()
    regions = s.drop_duplicates("region_code").set_index("region_code").sort_index()
    indexed = s.set_index(["region_code", "year", "item", "ecosystem"])[["quantity", "value_yuan",
                                                                          "value_constant_yuan"]]
    ds = xr.Dataset.from_dataframe(indexed.sort_index())
    ds = ds.rename({"region_code": "region"})
    ds = ds.assign_coords(
        region_name=("region", regions.loc[ds["region"].values, "region_name"].to_numpy().astype(str)),
        region_level=("region", regions.loc[ds["region"].values, "region_level"].to_numpy().astype(str)),
        item_service=("item", items.loc[ds["item"].values, "service"].to_numpy().astype(str)),
        item_indicator=("item", items.loc[ds["item"].values, "indicator"].to_numpy().astype(str)),
        item_category=("item", items.loc[ds["item"].values, "category"].to_numpy().astype(str)),
        item_quantity_unit=("item", items.loc[ds["item"].values, "quantity_unit"].to_numpy().astype(str)),
        item_in_gep=("item", items.loc[ds["item"].values, "in_gep"].to_numpy().astype(np.int8)),
        item_label_zh=("item", np.array([label("service", sv) + "/" + label("indicator", f"{sv}/{ind}")
                                         for sv, ind in zip(items.loc[ds["item"].values, "service"],
                                                            items.loc[ds["item"].values, "indicator"])])),
    )
    ds["quantity"].attrs = {"long_name": "physical quantity (实物量) of the accounting year",
                            "units": "see item_quantity_unit"}
    ds["value_yuan"].attrs = {"long_name": "value (价值量) of the accounting year at its prices", "units": "yuan"}
    ds["value_constant_yuan"].attrs = {"long_name": f"value at constant prices of {results.base_year}",
                                       "units": "yuan"}
    summary = results.summary.set_index(["region_code", "year"])
    gep = xr.DataArray.from_series(summary["gep_yuan"]).rename({"region_code": "region"})
    ds["gep_yuan"] = gep.reindex(region=ds["region"], year=ds["year"])
    ds["gep_yuan"].attrs = {"long_name": "gross ecosystem product (生态系统生产总值)", "units": "yuan"}
    ds.attrs = {"title": "GEP accounting results", "gep_version": __version__,
                "inventory_format_version": inventory_spec()["format_version"],
                "conventions": "values in yuan (元) at the prices of the coefficient register"}
    return ds


def write_netcdf(results: Results, path: Path) -> None:
    results_dataset(results).to_netcdf(path, engine="netcdf4", format="NETCDF4")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


MANIFEST = "manifest.json"
INPUTS = "inputs"
#: the marker of a staging folder (which process writes it; gep.run.staged): never an output, and removed
#: before the folder is published
STAGING_MARKER = ".gep-staging"


def write_manifest(out: Path, command: str, reproducible_command: str, options: dict, inventory: dict,
                   inputs: list[Path], registers: list[Path], created: str | None = None,
                   referenced: list[Path] | None = None) -> dict:
    """manifest.json of the run folder ``out``: versions, command, options, SHA-256 of every file.

    ``inputs`` (the inventory files) and ``registers`` (the coefficient registers, base register first,
    in the order they were applied) are paths inside ``out``; every file outside ``inputs/`` is an
    output. Paths are recorded relative to ``out`` with ``/`` separators (``inputs/inventory/extent.csv``).
    ``created`` (ISO-8601 UTC) is the only time in a run folder; no data file carries a timestamp.
    ``referenced`` are input files used in place, outside the folder (grid layers too large to copy): they
    are listed by absolute path under ``referenced_inputs`` with their SHA-256.
    """
    out = Path(out)

    def rel(p: Path) -> str:
        return Path(p).relative_to(out).as_posix()

    outputs = sorted(p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST
                     and p.relative_to(out).parts[0] not in (INPUTS, STAGING_MARKER))
    manifest = {
        "gep_version": __version__,
        "inventory_format_version": inventory_spec()["format_version"],
        "command": command,
        "reproducible_command": reproducible_command,
        "options": options,
        "inventory": inventory,
        "inputs": {rel(p): sha256(p) for p in sorted(inputs, key=rel)},
        "coefficient_registers": {rel(p): sha256(p) for p in registers},
        "outputs": {rel(p): sha256(p) for p in outputs},
    }
    if referenced:
        manifest["referenced_inputs"] = {str(Path(p).resolve()): sha256(p) for p in referenced}
    if created:
        manifest["created"] = created
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest
