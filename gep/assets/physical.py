"""Physical asset accounts: opening stock, additions and reductions by cause, closing stock.

One function serves the ecosystem extent account (SEEA EA Table 4.1; 土地资源存量及变动表), the forest
area and stock-volume accounts by origin (林木资源存量及变动表), wetlands by type and water stocks:
a stock per item (ecosystem type, origin, …), changes that each carry a cause from a controlled
vocabulary, and the balance identity

    opening + additions − reductions (+ survey corrections) = closing       (SEEA EA §4.2, §10.31)

checked to a tolerance, a violation being an error that names the account, the item and the gap.
Survey corrections (调查更正) are revisions, not flows (SEEA EA §10.39, §10.43): they are shown apart and
never counted as additions or reductions. For the extent account, land is conserved: the net changes
of all types add up to zero. Conversions (from one type to another) also give the change matrix
(SEEA EA Table 4.2).

Cause vocabulary after asset-liability.md §1.4 (a design proposal of that note, mapped to SEEA EA
entries: "managed"/"unmanaged" expansion and reduction, catastrophic losses, reclassification).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: cause code → (中文, SEEA entry kind, human/natural). The sign of the amount says addition or reduction.
CAUSES: dict[str, tuple[str, str, str]] = {
    "AFF_PLANT": ("人工造林/更新造林", "managed", "人为"),
    "AFF_CLOSE": ("封山育林", "managed", "人为"),
    "NAT_GROWTH": ("自然生长", "unmanaged", "自然"),
    "HARVEST": ("采伐", "managed", "人为"),
    "ILLEGAL": ("盗伐滥伐/毁林开垦", "managed", "人为"),
    "LANDUSE_CONV": ("征占用/建设占用", "managed", "人为"),
    "DISASTER": ("灾害损毁", "catastrophic", "自然"),
    "NAT_LOSS": ("自然枯损", "unmanaged", "自然"),
    "RECLASS": ("重分类", "reclassification", "—"),
    "SURVEY_CORR": ("调查更正", "revision", "—"),
    # water asset account (SEEA CF Table 5.11 entries; 水资源存量及变动表, asset-liability.md §1.3 T3)
    "PRECIPITATION": ("降水形成", "unmanaged", "自然"),
    "INFLOW": ("上游流入/区外调入", "unmanaged", "自然"),
    "RETURN_FLOW": ("回归水", "managed", "人为"),
    "ABSTRACTION": ("取水", "managed", "人为"),
    "EVAPORATION": ("蒸发/蒸散", "unmanaged", "自然"),
    "OUTFLOW": ("流出下游/调出区外", "unmanaged", "自然"),
}


class PhysicalAccountError(ValueError):
    """A balance identity does not hold, or a change is malformed; the message names account, item and gap."""


@dataclass
class StockAccount:
    """A physical asset account: ``table`` has one column per item (plus TOTAL) and the rows opening,
    additions by entry, reductions by entry, net change, survey corrections, closing."""

    name: str
    unit: str
    table: pd.DataFrame
    by_cause: pd.DataFrame  # item × cause: signed amounts, for the 增减原因 detail
    changes: pd.DataFrame  # the changes the account was built from: item, from_item, cause, amount [unit]


def _signed_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Rows (item, cause, amount signed): conversions (from_item → item) give a reduction of from_item."""
    unknown = sorted(set(changes["cause"]) - set(CAUSES))
    if unknown:
        raise PhysicalAccountError(f"unknown change cause(s) {', '.join(unknown)}; causes: {', '.join(CAUSES)}")
    rows = changes[["item", "cause", "amount"]].copy()
    if "from_item" in changes.columns:
        conv = changes[changes["from_item"].fillna("") != ""]
        rows = pd.concat([rows, pd.DataFrame({"item": conv["from_item"], "cause": conv["cause"],
                                              "amount": -conv["amount"]})], ignore_index=True)
    return rows


def stock_account(name: str, unit: str, opening: pd.Series, changes: pd.DataFrame,
                  closing: pd.Series | None = None, conserve_total: bool = False,
                  tolerance: float = 1e-9) -> StockAccount:
    """Build and check a physical asset account.

    Parameters
    ----------
    name : the account, e.g. "extent" or "forest_area" (named in errors)
    unit : unit of all amounts, e.g. "hm²" or "万m³"
    opening : opening stock per item [unit]
    changes : one row per change: ``item``, ``cause`` (a code of :data:`CAUSES`), ``amount`` [unit] —
        signed (+ addition, − reduction) — and optionally ``from_item`` for a conversion of ``amount``
        from another item (then the amount is positive and counts as a reduction of ``from_item``)
    closing : the closing stock per item if observed; the identity is then checked, otherwise closing
        is derived
    conserve_total : the items partition a fixed whole (land): net changes must add up to zero
    tolerance : relative tolerance of the checks (of the item's opening stock, at least 1 unit × tolerance)
    """
    signed = _signed_changes(changes)
    items = list(dict.fromkeys([*opening.index, *signed["item"]] + ([] if closing is None else [*closing.index])))
    opening = opening.reindex(items).fillna(0.0).astype(float)
    signed["kind"] = signed["cause"].map(lambda c: CAUSES[c][1])
    flows = signed[signed["kind"] != "revision"]
    revisions = signed[signed["kind"] == "revision"]
    flows = flows.assign(sign=np.sign(flows["amount"]).astype(int))
    entries = flows.groupby(["kind", "sign", "item"])["amount"].sum().unstack("item").reindex(columns=items)
    rows: dict[str, pd.Series] = {"opening": opening}
    for sign, head in ((1, "additions"), (-1, "reductions")):
        part = entries.xs(sign, level="sign") if sign in entries.index.get_level_values("sign") else pd.DataFrame()
        total = pd.Series(0.0, index=items)
        for kind in ("managed", "unmanaged", "catastrophic", "reclassification"):
            values = part.loc[kind].fillna(0.0) * sign + 0.0 if kind in part.index else pd.Series(0.0, index=items)
            rows[f"{head}:{kind}"] = values.reindex(items).fillna(0.0)
            total = total + rows[f"{head}:{kind}"]
        rows[head] = total
    rows["net_change"] = rows["additions"] - rows["reductions"]
    rows["survey_correction"] = revisions.groupby("item")["amount"].sum().reindex(items).fillna(0.0)
    derived = opening + rows["net_change"] + rows["survey_correction"]
    if closing is not None:
        closing = closing.reindex(items).fillna(0.0).astype(float)
        gap = closing - derived
        bad = gap[gap.abs() > tolerance * np.maximum(opening.abs(), 1.0)]
        if len(bad):
            item, g = bad.index[0], bad.iloc[0]
            raise PhysicalAccountError(
                f"{name} account, {item}: opening {opening[item]:,.4f} + changes {rows['net_change'][item]:,.4f} "
                f"+ corrections {rows['survey_correction'][item]:,.4f} = {derived[item]:,.4f}, but the closing "
                f"stock is {closing[item]:,.4f} {unit} (gap {g:+,.4f} {unit})"
                + (f"; {len(bad) - 1} more item(s) do not balance" if len(bad) > 1 else ""))
    else:
        closing = derived
    rows["closing"] = closing
    if conserve_total:
        for row in ("net_change", "survey_correction"):
            total = rows[row].sum()
            if abs(total) > tolerance * max(opening.abs().sum(), 1.0):
                raise PhysicalAccountError(f"{name} account: the {row.replace('_', ' ')}s of all items add up to "
                                           f"{total:+,.4f} {unit}, not 0; the total area must be conserved")
    table = pd.DataFrame(rows).T[items]
    table["TOTAL"] = table.sum(axis=1)
    by_cause = signed.pivot_table(index="cause", columns="item", values="amount", aggfunc="sum", fill_value=0.0)
    return StockAccount(name, unit, table, by_cause.reindex(columns=items, fill_value=0.0), changes)


def change_matrix(opening: pd.Series, changes: pd.DataFrame) -> pd.DataFrame:
    """From → to change matrix of an extent account (SEEA EA Table 4.2): rows opening types, columns
    closing types; the diagonal is the area unchanged. Needs conversions (``from_item``) for every
    change between types; survey corrections are left out (they are revisions)."""
    items = list(dict.fromkeys([*opening.index, *changes["item"],
                                *changes.get("from_item", pd.Series(dtype=object)).dropna()]))
    items = [i for i in items if i]
    matrix = pd.DataFrame(0.0, index=items, columns=items)
    conv = changes[(changes.get("from_item", pd.Series("", index=changes.index)).fillna("") != "")
                   & (changes["cause"] != "SURVEY_CORR")]
    for r in conv.itertuples():
        matrix.loc[r.from_item, r.item] += r.amount
    for item in items:
        matrix.loc[item, item] = opening.get(item, 0.0) - matrix.loc[item].drop(item).sum()
    matrix["opening"] = matrix.sum(axis=1)
    matrix.loc["closing"] = matrix.sum(axis=0)
    return matrix


#: canonical unit of each account's amounts (inventory cells are converted to it)
ACCOUNT_UNITS = {"extent": ("hectare", "hm²"), "forest_area": ("hectare", "hm²"), "forest_stock": ("m**3", "m³"),
                 "water": ("m**3", "m³")}
#: the vocabulary of each account's items
ITEM_VOCABULARY = {"extent": "ecosystem", "forest_area": "origin", "forest_stock": "origin", "water": "water_resource"}


def subtree(regions: pd.DataFrame, region: str) -> list[str]:
    """The codes of ``region`` and every region below it in the regions table (its tree), in table order."""
    parents = dict(zip(regions["code"], regions["parent_code"]))
    out = []
    for code in regions["code"]:
        c = code
        while c:
            if c == region:
                out.append(code)
                break
            c = parents.get(c, "")
    return out


def item_key(account: str, text: str) -> str | None:
    """The vocabulary key of an account item written as key or Chinese label (森林 → forest, 人工 → planted,
    河道 → river)."""
    from ..catalogue import vocabulary
    vocab = vocabulary(ITEM_VOCABULARY[account])
    if text in vocab:
        return text
    return next((k for k, v in vocab.items() if v["zh"] == text), None)


def inventory_accounts(inventory, region: str, start_year: int, end_year: int) -> dict[str, StockAccount]:
    """The physical accounts of ``region`` (with its sub-regions) for the period start_year → end_year:
    opening stocks from the inventory's ``start_year`` rows, closing from ``end_year``, and the changes
    of the ``changes`` table dated after start_year up to end_year. A stock difference not explained by
    the recorded changes is an error naming the account, the item and the gap."""
    from ..units import convert_magnitude

    codes = subtree(inventory.table("regions"), region)
    if not codes:
        raise PhysicalAccountError(f"no region {region} in the inventory")
    changes = inventory.table("changes")
    changes = changes[changes["region_code"].isin(codes) & (changes["year"] > start_year)
                      & (changes["year"] <= end_year)].copy()
    if len(changes):
        changes["amount"] = [convert_magnitude(a, u, ACCOUNT_UNITS[acc][0])
                             for a, u, acc in zip(changes["amount"], changes["unit"], changes["account"])]
        for col in ("item", "from_item"):  # ecosystem types or origins, by key or Chinese label
            changes[col] = [item_key(acc, v) if v else v for acc, v in zip(changes["account"], changes[col])]
    extent = inventory.table("extent")
    extent = extent[extent["region_code"].isin(codes)]
    forest = inventory.table("forest")
    forest = forest[forest["region_code"].isin(codes)]
    water = inventory.table("water_resources")
    water = water[water["region_code"].isin(codes)]

    def stock(frame, year, by, column):
        part = frame[frame["year"] == year]
        return part.groupby(by)[column].sum()

    out = {}
    for name, frame, by, column, conserve in (("extent", extent, "ecosystem", "area", True),
                                              ("forest_area", forest, "origin", "area", False),
                                              ("forest_stock", forest, "origin", "stock_volume", False),
                                              ("water", water, "item", "volume", False)):
        if not len(frame) or start_year not in set(frame["year"]) or end_year not in set(frame["year"]):
            continue
        if frame[column].isna().all():
            continue
        rows = changes[changes["account"] == name]
        out[name] = stock_account(name, ACCOUNT_UNITS[name][1], stock(frame, start_year, by, column),
                                  rows[["item", "from_item", "cause", "amount"]]
                                  .assign(from_item=lambda d: d["from_item"].replace("", np.nan)),
                                  closing=stock(frame, end_year, by, column), conserve_total=conserve,
                                  tolerance=1e-6)
        if name == "extent":
            wetland = wetland_account(out["extent"], rows)
            if wetland is not None:
                out["wetland"] = wetland
    return out


def wetland_account(extent: StockAccount, changes: pd.DataFrame) -> StockAccount | None:
    """The wetland account by type (湿地资源存量及变动表, asset-liability.md §1.3 T4): the wetland columns
    of the extent account. A conversion between a wetland type and another ecosystem type is an addition
    to (or reduction of) the wetland stock; a conversion between two wetland types stays a conversion.
    None if the region has no wetland type."""
    from ..catalogue import ecosystem_group

    items = [c for c in extent.table.columns if c != "TOTAL" and ecosystem_group(c) == "wetland"]
    if not items:
        return None
    is_wet = changes["item"].isin(items)
    from_wet = changes["from_item"].isin(items)
    inward = changes[is_wet].assign(from_item=lambda d: d["from_item"].where(d["from_item"].isin(items), np.nan))
    outward = changes[from_wet & ~is_wet]
    outward = pd.DataFrame({"item": outward["from_item"], "from_item": np.nan, "cause": outward["cause"],
                            "amount": -outward["amount"]})
    rows = pd.concat([inward[["item", "from_item", "cause", "amount"]], outward], ignore_index=True)
    return stock_account("wetland", extent.unit, extent.table.loc["opening", items], rows,
                         closing=extent.table.loc["closing", items], tolerance=1e-6)
