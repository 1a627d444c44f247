"""Monetary ecosystem asset account (SEEA EA chapter 10, Table 10.1; Annex A10.1).

The value of an ecosystem asset is the net present value (NPV) of the ecosystem-service flows it is
expected to supply (SEEA EA §10.44–10.45). The change in value between the opening and the closing
balance is split by the Annex A10.1 three-factor decomposition into an area (extent) effect, a volume
(intensity / condition) effect and a price effect, and each effect is recorded as an entry of the asset
account: enhancement, degradation, conversions (additions, reductions), catastrophic losses,
reappraisals (upward, downward) or revaluations (SEEA EA §10.15–10.43).

All functions are pure (pandas in, pandas out). Long tables carry one row per ecosystem type (ET) ×
ecosystem service; amounts are in the currency of the inputs ("currency" below), flows per year.

Pipeline::

    npv_table(expected flows, r, N)             → NPV per ET × service, opening and closing
    decomposition_basic_data(..., extent)       → a0, a1, ES0, ES1, NPV0, NPV1, unit prices per ET × service
    decompose(basic data, N)                    → q, p, area / volume / price effects (Annex A10.1)
    assign_entries(effects, condition, ...)     → the account entry of each effect (legend rule or override)
    asset_account(opening, closing, entries)    → SEEA EA Table 10.1, balance-checked
    discount_rate_sensitivity(flows, rates, N)  → NPV totals at several discount rates (SEEA EA §10.81)

The UN worked example SEEALand (seea_ea_seealand_stylised_example.xlsx, sheets "NPV by ET", "NPV
Decomposition", "Monetary asset account") computes exactly this; tests/test_seealand_monetary.py
reproduces it cell by cell.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------------------------
# vocabulary

#: Table 10.1 rows in order (SEEA EA: opening value, ecosystem enhancement, …, closing value); the statement names
#: each by the phrase statement.row.<key>
ACCOUNT_ROWS: tuple[str, ...] = ("opening_value", "enhancement", "degradation", "additions", "reductions",
                                 "catastrophic_losses", "upward_reappraisals", "downward_reappraisals", "revaluations",
                                 "net_change", "closing_value")

#: The entries between opening and closing value (what an effect can be recorded as).
ENTRIES: tuple[str, ...] = ("enhancement", "degradation", "additions", "reductions", "catastrophic_losses",
                            "upward_reappraisals", "downward_reappraisals", "revaluations")

#: The three effects of the Annex A10.1 decomposition.
EFFECTS: tuple[str, ...] = ("area", "volume", "price")

#: Extent changes (SEEA EA Table 4.1) by which the area effect is split into managed / unmanaged.
EXTENT_CHANGE_KINDS: tuple[str, ...] = ("managed_expansion", "unmanaged_expansion",
                                        "managed_reduction", "unmanaged_reduction")

TOTAL = "TOTAL"


class AssetAccountError(ValueError):
    """An identity of the monetary asset account does not hold, or an input is unusable."""


# ----------------------------------------------------------------------------------------------
# 1. NPV of expected flows


def annuity_factor(rate, asset_life, growth=0.0, timing: str = "end"):
    """Present value of 1 currency unit a year for ``asset_life`` years.

    SEEA EA §10.44 (UNSD 2022 technical report eq. 2): V = Σ_{j=1..N} ES_j / (1 + r)^j, returns at the
    end of each year (UNSD footnote 40). With ES_j = ES·(1 + g)^(j−1)::

        g = 0:   F = [1 − (1 + r)^−N] / r          (F = N when r = 0)
        g ≠ r:   F = [1 − ((1 + g)/(1 + r))^N] / (r − g)
        g = r:   F = N / (1 + r)

    ``timing="begin"`` puts the returns at the start of each year (F × (1 + r)). SEEALand uses Excel's
    ``PV(r, N, −ES)``: end of year, no growth, r = 0.02, N = 100 → F = 43.0983516…

    rate r [1/yr], asset_life N [yr], growth g [1/yr]: scalars or arrays (broadcast). Returns F [yr].
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(asset_life, dtype=float)
    g = np.asarray(growth, dtype=float)
    if np.any(n < 0):
        raise AssetAccountError(f"asset life must be ≥ 0 years, got {asset_life}")
    if np.any(r <= -1):
        raise AssetAccountError(f"discount rate must be > −100 %, got {rate}")
    with np.errstate(divide="ignore", invalid="ignore"):
        same = np.isclose(r, g, rtol=0.0, atol=1e-15)
        ratio = (1 + g) / (1 + r)
        factor = np.where(same, n / (1 + r), (1 - ratio ** n) / np.where(same, 1.0, r - g))
    if timing == "begin":
        factor = factor * (1 + r)
    elif timing != "end":
        raise AssetAccountError(f"timing must be 'end' or 'begin', got {timing!r}")
    return float(factor) if np.ndim(factor) == 0 else factor


def npv(annual_value, rate, asset_life, growth=0.0, timing: str = "end"):
    """NPV [currency] of a constant (or constantly growing) annual value [currency/yr]:
    NPV = ES · F(r, N, g) with F from :func:`annuity_factor` (SEEA EA §10.44)."""
    return np.asarray(annual_value, dtype=float) * annuity_factor(rate, asset_life, growth, timing)


def npv_table(flows: pd.DataFrame, rate: float, asset_life: float, growth: float = 0.0,
              timing: str = "end") -> pd.DataFrame:
    """NPV of the expected flows per ecosystem type × service, opening and closing (SEEA EA §10.44).

    ``flows`` columns: ``ecosystem_type``, ``service``, ``quantity_0``, ``quantity_1`` (expected annual
    physical flow at opening / closing [service unit/yr]), ``price_0``, ``price_1`` (expected price
    [currency/service unit]). Returned with ``value_0``, ``value_1`` = quantity × price [currency/yr]
    (the "expected exchange values") and ``npv_0``, ``npv_1`` = value × F(r, N) [currency].

    The declared discount rate r [1/yr] and asset life N [yr] apply to both balances (a change of
    parameters between balances is a revaluation, SEEA EA §10.42; value each balance separately and
    decompose if that is needed).
    """
    _require(flows, ["ecosystem_type", "service", "quantity_0", "quantity_1", "price_0", "price_1"], "flows")
    out = flows.copy()
    factor = annuity_factor(rate, asset_life, growth, timing)
    for t in ("0", "1"):
        out[f"value_{t}"] = out[f"quantity_{t}"].astype(float) * out[f"price_{t}"].astype(float)
        out[f"npv_{t}"] = out[f"value_{t}"] * factor
    out.attrs.update(discount_rate=rate, asset_life=asset_life, growth=growth, timing=timing)
    return out


def npv_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Opening and closing NPV [currency] by ecosystem type (first-appearance order) and a ``TOTAL`` row,
    with ``change`` = npv_1 − npv_0 (the "NPV by ET" sheet of SEEALand)."""
    sums = table.groupby("ecosystem_type", sort=False)[["npv_0", "npv_1"]].sum()
    sums.loc[TOTAL] = sums.sum()
    sums["change"] = sums["npv_1"] - sums["npv_0"]
    return sums


def discount_rate_sensitivity(flows: pd.DataFrame, asset_life: float,
                              rates: Iterable[float] = (0.02, 0.04, 0.06, 0.08), growth: float = 0.0,
                              timing: str = "end") -> pd.DataFrame:
    """Asset values at several discount rates (SEEA EA §10.81 asks to publish such a sensitivity).

    Returns one row per rate r [1/yr] × ecosystem type (and ``TOTAL``) with ``npv_0``, ``npv_1`` and
    ``change`` [currency]; ``flows`` as for :func:`npv_table`. The default rates are the issue's 2 %
    (SEEA EA comparability), 4 %, 6 % and 8 % (China's 社会折现率).
    """
    frames = []
    for r in rates:
        totals = npv_totals(npv_table(flows, r, asset_life, growth, timing)).reset_index()
        totals.insert(0, "discount_rate", float(r))
        frames.append(totals)
    return pd.concat(frames, ignore_index=True)


def monetary_supply(flows: pd.DataFrame) -> pd.DataFrame:
    """Monetary supply of ecosystem services (SEEA EA Table 7.x supply side, "Monetary SUT" of SEEALand):
    value = quantity [service unit/yr] × price [currency/service unit] per ET × service, as a service ×
    ET table [currency/yr] with ``TOTAL`` row and column (the grand total is SEEALand's GEP-like total
    supply).

    ``flows`` columns: ``ecosystem_type``, ``service``, ``quantity``, ``price``.
    """
    _require(flows, ["ecosystem_type", "service", "quantity", "price"], "flows")
    values = flows.assign(value=flows["quantity"].astype(float) * flows["price"].astype(float))
    table = values.pivot_table(index="service", columns="ecosystem_type", values="value", aggfunc="sum",
                               fill_value=0.0, sort=False)
    table = table.reindex(columns=list(dict.fromkeys(flows["ecosystem_type"])))
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum()
    return table


# ----------------------------------------------------------------------------------------------
# 2. Annex A10.1 decomposition and the entry of each effect


def decomposition_basic_data(npvs: pd.DataFrame, extent_0: Mapping[str, float],
                             extent_1: Mapping[str, float]) -> pd.DataFrame:
    """The basic data of the decomposition from an :func:`npv_table` and the extent account:
    ``a0``, ``a1`` [ha] (extent of the service's ecosystem type), ``es0``, ``es1`` (expected flows
    [service unit/yr]), ``npv0``, ``npv1`` [currency] and ``up0``, ``up1``, the discounted unit price of each
    balance at its own year's price, V/Q = P · F / N [currency/service unit] (SEEA EA §A10.12; F the annuity
    factor of the table's discount rate and asset life N), which :func:`decompose` needs where a balance has no
    flow. This is the mechanical path: the expected flows are the physical quantities the NPVs were computed
    from."""
    missing = sorted(set(npvs["ecosystem_type"]) - set(extent_0) | set(npvs["ecosystem_type"]) - set(extent_1))
    if missing:
        raise AssetAccountError(f"no opening or closing extent for ecosystem type(s) {missing}")
    attrs = npvs.attrs
    if "discount_rate" in attrs and "asset_life" in attrs and attrs["asset_life"]:
        per_unit = annuity_factor(attrs["discount_rate"], attrs["asset_life"], attrs.get("growth", 0.0),
                                  attrs.get("timing", "end")) / attrs["asset_life"]
        up0, up1 = (npvs[f"price_{t}"].astype(float).values * per_unit for t in ("0", "1"))
    else:  # an NPV table made elsewhere: no unit prices (decompose then falls back, see there)
        up0 = up1 = np.full(len(npvs), np.nan)
    return pd.DataFrame({
        "ecosystem_type": npvs["ecosystem_type"].values,
        "service": npvs["service"].values,
        "a0": npvs["ecosystem_type"].map(extent_0).astype(float).values,
        "a1": npvs["ecosystem_type"].map(extent_1).astype(float).values,
        "es0": npvs["quantity_0"].astype(float).values,
        "es1": npvs["quantity_1"].astype(float).values,
        "npv0": npvs["npv_0"].astype(float).values,
        "npv1": npvs["npv_1"].astype(float).values,
        "up0": up0,
        "up1": up1,
    })


def decompose(basic: pd.DataFrame, asset_life: float, tolerance: float = 1e-6) -> pd.DataFrame:
    """Three-factor decomposition of the change in NPV (SEEA EA Annex A10.1, §A10.31–A10.33).

    Per ET × service, from ``a0``, ``a1`` (extent [ha]), ``es0``, ``es1`` (expected flow [service
    unit/yr]) and ``npv0``, ``npv1`` [currency]::

        Q = ES · N                 expected quantity over the asset life [service unit]
        q = Q / a                  intensity [service unit/ha]
        p = NPV / Q                discounted unit price [currency/service unit], so that NPV = p · q · a
                                   (= P · F / N, P the price, F the annuity factor: SEEA EA §A10.12)

        area effect   = (a1 − a0) · [(p0 q0 + p1 q1)/3 + (p0 q1 + p1 q0)/6]
        volume effect = (q1 − q0) · [(p0 a0 + p1 a1)/3 + (p0 a1 + p1 a0)/6]
        price effect  = (p1 − p0) · [(q0 a0 + q1 a1)/3 + (q0 a1 + q1 a0)/6]

    (the integral of d(p q a) along straight lines from opening to closing; the three effects add up to
    NPV1 − NPV0 exactly — checked here to ``tolerance`` [currency] + 1e-9 relative). N [yr] only scales
    Q, q and p, not the effects. Where a balance has no area (a new or vanished ecosystem type) its
    intensity is taken from the other balance. Where a balance has no flow (Q = 0, so NPV = 0 and NPV/Q is
    undefined) its unit price is that of its own year, p = P · F / N (SEEA EA §A10.12), from the optional
    columns ``up0``, ``up1`` (:func:`decomposition_basic_data` gives them); p q a still equals its NPV (0), and
    a price that changed between the years is a price effect, not part of the volume effect. Only where the
    basic data give no unit price for that balance (``up`` absent or NaN) is the other balance's taken.
    These are the columns of the "NPV Decomposition" sheet of SEEALand.
    """
    _require(basic, ["ecosystem_type", "service", "a0", "a1", "es0", "es1", "npv0", "npv1"], "basic data")
    d = basic.copy()
    for c in ("a0", "a1", "es0", "es1", "npv0", "npv1"):
        d[c] = d[c].astype(float)
    d["Q0"] = d["es0"] * asset_life
    d["Q1"] = d["es1"] * asset_life
    for t in ("0", "1"):
        a, Q, v = d[f"a{t}"], d[f"Q{t}"], d[f"npv{t}"]
        if ((a == 0) & (Q != 0)).any() or ((Q == 0) & (v.abs() > tolerance)).any():
            bad = d.loc[((a == 0) & (Q != 0)) | ((Q == 0) & (v.abs() > tolerance)), ["ecosystem_type", "service"]]
            raise AssetAccountError(f"balance {t}: a flow without area or a value without flow for "
                                    f"{bad.to_records(index=False).tolist()}")
    with np.errstate(divide="ignore", invalid="ignore"):
        q0, q1 = d["Q0"] / d["a0"], d["Q1"] / d["a1"]
        p0, p1 = d["npv0"] / d["Q0"], d["npv1"] / d["Q1"]
    d["q0"] = q0.where(d["a0"] != 0, q1).fillna(0.0)
    d["q1"] = q1.where(d["a1"] != 0, q0).fillna(0.0)
    own0 = d["up0"].astype(float) if "up0" in d else pd.Series(np.nan, index=d.index)
    own1 = d["up1"].astype(float) if "up1" in d else pd.Series(np.nan, index=d.index)
    p0, p1 = p0.where(d["Q0"] != 0, own0), p1.where(d["Q1"] != 0, own1)  # no flow: its own year's unit price
    d["p0"] = p0.fillna(p1).fillna(0.0)  # no price for the balance at all: the other balance's
    d["p1"] = p1.fillna(p0).fillna(0.0)
    a0, a1, q0, q1, p0, p1 = (d[c] for c in ("a0", "a1", "q0", "q1", "p0", "p1"))
    d["area_effect"] = (a1 - a0) * ((p0 * q0 + p1 * q1) / 3 + (p0 * q1 + p1 * q0) / 6)
    d["volume_effect"] = (q1 - q0) * ((p0 * a0 + p1 * a1) / 3 + (p0 * a1 + p1 * a0) / 6)
    d["price_effect"] = (p1 - p0) * ((q0 * a0 + q1 * a1) / 3 + (q0 * a1 + q1 * a0) / 6)
    d["total_effect"] = d["area_effect"] + d["volume_effect"] + d["price_effect"]
    gap = d["total_effect"] - (d["npv1"] - d["npv0"])
    limit = tolerance + 1e-9 * np.maximum(d["npv0"].abs(), d["npv1"].abs())
    if (gap.abs() > limit).any():
        i = (gap.abs() - limit).idxmax()
        raise AssetAccountError(f"decomposition of {d.at[i, 'ecosystem_type']} / {d.at[i, 'service']} does not add "
                                f"up to NPV1 − NPV0: gap {gap[i]:.6g}")
    d.attrs["asset_life"] = asset_life
    return d


@dataclass(frozen=True)
class EntryOverride:
    """An accountant's decision to record one effect of one ET × service under another entry than the
    legend's rule gives (SEEA EA §10.36–10.38 leave the attribution to judgement); ``reason`` is
    required and is carried into the entries table."""

    ecosystem_type: str
    service: str
    effect: str  # "area", "volume" or "price"
    entry: str   # one of ENTRIES
    reason: str

    def __post_init__(self):
        if self.effect not in EFFECTS:
            raise AssetAccountError(f"override effect must be one of {EFFECTS}, got {self.effect!r}")
        if self.entry not in ENTRIES:
            raise AssetAccountError(f"override entry must be one of {ENTRIES}, got {self.entry!r}")
        if not str(self.reason).strip():
            raise AssetAccountError(f"override of {self.ecosystem_type} / {self.service} / {self.effect} needs a reason")


def rule_entry(effect: str, amount: float, condition_change: float | None) -> str:
    """The entry the SEEALand legend (asset-liability.md §2.7; SEEA EA §10.15–10.43) gives an effect:

    ======  ============================  ======================
    effect  sign of effect / condition Δ   entry
    ======  ============================  ======================
    area    ≥ 0 / —                       additions (conversions)
    area    < 0 / —                       reductions (conversions)
    volume  ≥ 0 / > 0                     enhancement
    volume  ≥ 0 / ≤ 0                     upward reappraisals
    volume  < 0 / ≥ 0                     downward reappraisals
    volume  < 0 / < 0                     degradation
    price   any / —                       revaluations
    ======  ============================  ======================

    ``condition_change`` is the change of the ET's aggregate condition index [dimensionless, 0–1 scale]
    between the balances; it is needed only for the volume effect.
    """
    if effect == "area":
        return "additions" if amount >= 0 else "reductions"
    if effect == "price":
        return "revaluations"
    if effect != "volume":
        raise AssetAccountError(f"unknown effect {effect!r}")
    if condition_change is None or pd.isna(condition_change):
        raise AssetAccountError("the volume effect needs the change in condition of its ecosystem type")
    if amount >= 0:
        return "enhancement" if condition_change > 0 else "upward_reappraisals"
    return "degradation" if condition_change < 0 else "downward_reappraisals"


def assign_entries(effects: pd.DataFrame, condition_change: Mapping[str, float],
                   overrides: Sequence[EntryOverride] = (),
                   extent_changes: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
    """The asset-account entry of every effect of every ET × service.

    ``effects``: the output of :func:`decompose`. ``condition_change``: ET → change in aggregate
    condition index [dimensionless]. Each effect goes to the entry of :func:`rule_entry` unless an
    :class:`EntryOverride` names its (ET, service, effect); the returned long table has columns
    ``ecosystem_type``, ``service``, ``effect``, ``amount`` [currency], ``entry``, ``detail``, ``basis``
    (``"rule"`` or ``"override"``) and ``reason``.

    ``extent_changes`` (optional): ET → hectares of ``managed_expansion``, ``unmanaged_expansion``,
    ``managed_reduction``, ``unmanaged_reduction`` (SEEA EA Table 4.1). A conversion entry is then split
    into rows with ``detail`` "managed" / "unmanaged" in proportion to those hectares on its side
    (additions by expansions, reductions by reductions); without it ``detail`` is empty.
    """
    keyed = {}
    for o in overrides:
        key = (o.ecosystem_type, o.service, o.effect)
        if key in keyed:
            raise AssetAccountError(f"two overrides for {key}")
        keyed[key] = o
    known = set(zip(effects["ecosystem_type"], effects["service"]))
    unknown = [k for k in keyed if k[:2] not in known]
    if unknown:
        raise AssetAccountError(f"override(s) for unknown ecosystem type / service: {unknown}")

    rows = []
    for rec in effects.itertuples(index=False):
        et, service = rec.ecosystem_type, rec.service
        for effect in EFFECTS:
            amount = float(getattr(rec, f"{effect}_effect"))
            o = keyed.get((et, service, effect))
            if o is not None:
                entry, basis, reason = o.entry, "override", o.reason
            else:
                cond = condition_change.get(et) if effect == "volume" else None
                if effect == "volume" and cond is None:
                    raise AssetAccountError(f"no change in condition for ecosystem type {et!r} "
                                            f"(needed for the volume effect of {service!r})")
                entry, basis, reason = rule_entry(effect, amount, cond), "rule", ""
            for detail, share in _conversion_shares(entry, et, extent_changes):
                rows.append((et, service, effect, amount * share, entry, detail, basis, reason))
    return pd.DataFrame(rows, columns=["ecosystem_type", "service", "effect", "amount", "entry", "detail",
                                       "basis", "reason"])


def _conversion_shares(entry: str, et: str, extent_changes) -> list[tuple[str, float]]:
    if entry not in ("additions", "reductions") or extent_changes is None or et not in extent_changes:
        return [("", 1.0)]
    side = "expansion" if entry == "additions" else "reduction"
    ha = {kind: float(extent_changes[et].get(f"{kind}_{side}", 0.0) or 0.0) for kind in ("managed", "unmanaged")}
    total = sum(ha.values())
    if total <= 0:
        return [("", 1.0)]
    return [(kind, v / total) for kind, v in ha.items() if v > 0]


# ----------------------------------------------------------------------------------------------
# 3. The account (SEEA EA Table 10.1)


def asset_account(opening: Mapping[str, float], closing: Mapping[str, float], entries: pd.DataFrame,
                  extent_0: Mapping[str, float] | None = None, extent_1: Mapping[str, float] | None = None,
                  tolerance: float = 1e-6, check: bool = True) -> pd.DataFrame:
    """The monetary ecosystem asset account, SEEA EA Table 10.1: rows :data:`ACCOUNT_ROWS`, one column
    per ecosystem type (order of ``opening``) and ``TOTAL``; amounts [currency].

    opening, closing: ET → NPV [currency] (see :func:`npv_totals`); entries: :func:`assign_entries`.
    ``net_change`` = closing − opening, as SEEALand computes it; the identity

        opening value + Σ entries = closing value

    is then checked by :func:`check_balance` (``check=False`` to skip). Extra rows follow the Table:
    ``check`` (Σ entries − net change, ≈ 0); where extent is given, ``extent_0``/``extent_1`` [ha] and
    ``value_per_ha_0``/``value_per_ha_1``/``change_per_ha`` [currency/ha] (totals column left empty, as
    SEEALand does); where conversions are split (``detail``), memo rows ``additions_managed``,
    ``additions_unmanaged``, ``reductions_managed``, ``reductions_unmanaged`` ("of which").
    """
    ets = list(opening)
    extra = sorted(set(closing) ^ set(ets)) + sorted(set(entries["ecosystem_type"]) - set(ets))
    if extra:
        raise AssetAccountError(f"ecosystem type(s) {extra} are not in both the opening and the closing value")
    table = pd.DataFrame(0.0, index=list(ACCOUNT_ROWS), columns=ets)
    table.loc["opening_value"] = [float(opening[e]) for e in ets]
    table.loc["closing_value"] = [float(closing[e]) for e in ets]
    by_entry = entries.groupby(["entry", "ecosystem_type"])["amount"].sum()
    for (entry, et), amount in by_entry.items():
        table.at[entry, et] = amount
    table.loc["net_change"] = table.loc["closing_value"] - table.loc["opening_value"]
    table[TOTAL] = table.sum(axis=1)
    table.loc["check"] = table.loc[list(ENTRIES)].sum() - table.loc["net_change"]
    detailed = entries[entries["detail"] != ""]
    if len(detailed):
        for entry in ("additions", "reductions"):
            for kind in ("managed", "unmanaged"):
                sel = detailed[(detailed["entry"] == entry) & (detailed["detail"] == kind)]
                row = sel.groupby("ecosystem_type")["amount"].sum().reindex(ets, fill_value=0.0)
                table.loc[f"{entry}_{kind}"] = list(row.values) + [row.sum()]
    if extent_0 is not None and extent_1 is not None:
        e0 = pd.Series({e: float(extent_0[e]) for e in ets})
        e1 = pd.Series({e: float(extent_1[e]) for e in ets})
        with np.errstate(divide="ignore", invalid="ignore"):
            v0 = table.loc["opening_value", ets] / e0
            v1 = table.loc["closing_value", ets] / e1
        for key, row in (("extent_0", e0), ("extent_1", e1), ("value_per_ha_0", v0), ("value_per_ha_1", v1),
                         ("change_per_ha", v1 - v0)):
            table.loc[key] = list(row.values) + [np.nan]
    if check:
        check_balance(table, tolerance)
    return table


def check_balance(table: pd.DataFrame, tolerance: float = 1e-6) -> None:
    """Raise :class:`AssetAccountError` naming each column (ET or TOTAL) where

        opening value + Σ entries ≠ closing value

    by more than ``tolerance`` [currency] + 1e-9 × max(|opening|, |closing|). Entries are the rows
    :data:`ENTRIES` of an :func:`asset_account` table; the net change row is checked too (= closing −
    opening)."""
    opening, closing = table.loc["opening_value"], table.loc["closing_value"]
    limit = tolerance + 1e-9 * np.maximum(opening.abs(), closing.abs())
    gap = opening + table.loc[list(ENTRIES)].sum() - closing
    net_gap = table.loc["net_change"] - (closing - opening)
    problems = [f"{col}: opening {opening[col]:,.2f} + entries {table.loc[list(ENTRIES), col].sum():,.2f} "
                f"≠ closing {closing[col]:,.2f} (gap {gap[col]:+,.6g})"
                for col in table.columns if abs(gap[col]) > limit[col]]
    problems += [f"{col}: net change {table.at['net_change', col]:,.2f} ≠ closing − opening (gap {net_gap[col]:+,.6g})"
                 for col in table.columns if abs(net_gap[col]) > limit[col]]
    if problems:
        raise AssetAccountError("monetary asset account does not balance — " + "; ".join(problems))


# ----------------------------------------------------------------------------------------------
# everything in one call


@dataclass
class MonetaryAccount:
    npv: pd.DataFrame            # npv_table
    totals: pd.DataFrame         # npv_totals
    decomposition: pd.DataFrame  # decompose
    entries: pd.DataFrame        # assign_entries
    account: pd.DataFrame        # asset_account


def monetary_asset_account(flows: pd.DataFrame, extent_0: Mapping[str, float], extent_1: Mapping[str, float],
                           condition_change: Mapping[str, float], rate: float, asset_life: float,
                           overrides: Sequence[EntryOverride] = (),
                           extent_changes: Mapping[str, Mapping[str, float]] | None = None,
                           basic: pd.DataFrame | None = None) -> MonetaryAccount:
    """Expected flows → NPV (r [1/yr], N [yr]) → Annex A10.1 decomposition → entries → Table 10.1.

    ``basic`` replaces the decomposition's basic data built by :func:`decomposition_basic_data` (for
    reproducing an account whose decomposition used other quantities; the NPVs must be the same)."""
    table = npv_table(flows, rate, asset_life)
    totals = npv_totals(table)
    if basic is None:
        basic = decomposition_basic_data(table, extent_0, extent_1)
    effects = decompose(basic, asset_life)
    entries = assign_entries(effects, condition_change, overrides, extent_changes)
    ets = [e for e in totals.index if e != TOTAL]
    account = asset_account(totals.loc[ets, "npv_0"].to_dict(), totals.loc[ets, "npv_1"].to_dict(), entries,
                            extent_0, extent_1)
    return MonetaryAccount(table, totals, effects, entries, account)


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AssetAccountError(f"{what} lacks column(s) {missing}")
