"""The package's one pint registry, Chinese unit spellings, and unit checks at function boundaries.

Every quantity that enters gep carries a unit, and every unit is parsed here. Chinese statistical
spellings (亩, 公顷, 万m³, 亿元, 万人次, t CO₂ …) are rewritten to the identifiers of
``gep/data/units.txt`` before pint parses them; pint alone would read ``万m³`` as ``(万m)³`` and
``mu`` as milli-atomic-mass-unit.

Design (after MetPy and xclim): units are checked and converted where data cross into a calculator;
inside, kernels work on float magnitudes in canonical units.
"""
from __future__ import annotations

import functools
import inspect
import re
from fractions import Fraction
from importlib import resources

import numpy as np
import pint

ureg = pint.UnitRegistry(on_redefinition="raise", autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(resources.files("gep") / "data" / "units.txt"))
Quantity = ureg.Quantity

#: Chinese and informal spellings → registry identifiers. Longest first when applied.
_ALIASES: dict[str, str] = {
    # currency
    "亿元": "yi_yuan", "万元": "wan_yuan", "元": "yuan", "RMB": "yuan",
    # area
    "万亩": "wan_mu", "亩": "mu", "万公顷": "wan_hectare", "万hm²": "wan_hectare", "万hm2": "wan_hectare",
    "公顷": "hectare", "hm²": "hectare", "hm2": "hectare", "平方公里": "km**2", "平方千米": "km**2",
    "km²": "km**2", "km2": "km**2", "平方米": "m**2", "m²": "m**2", "m2": "m**2",
    # volume
    "亿m³": "yi_m3", "亿m3": "yi_m3", "亿立方米": "yi_m3", "万m³": "wan_m3", "万m3": "wan_m3",
    "万立方米": "wan_m3", "立方米": "m**3", "m³": "m**3", "m3": "m**3",
    # mass (carbon and CO2 before plain tonnes)
    "万t CO₂": "wan_t_CO2", "万tCO₂": "wan_t_CO2", "万t CO2": "wan_t_CO2", "万tCO2": "wan_t_CO2",
    "t CO₂": "t_CO2", "tCO₂": "t_CO2", "t CO2": "t_CO2", "tCO2": "t_CO2",
    "kg CO₂": "kg_CO2", "kg CO2": "kg_CO2", "g CO₂": "gram_CO2", "g CO2": "gram_CO2",
    "万t C": "wan_t_C", "万tC": "wan_t_C", "t C": "t_C", "kg C": "kg_C", "g C": "gram_carbon",
    "亿吨": "yi_t", "亿t": "yi_t", "万吨": "wan_t", "万t": "wan_t", "吨": "t", "千克": "kg", "公斤": "kg",
    # energy and power
    "亿千瓦时": "yi_kWh", "亿kWh": "yi_kWh", "亿kW·h": "yi_kWh", "万千瓦时": "wan_kWh", "万kWh": "wan_kWh",
    "万kW·h": "wan_kWh", "千瓦时": "kWh", "kW·h": "kWh", "度": "kWh", "万千瓦": "wan_kW", "万kW": "wan_kW",
    "千瓦": "kW",
    # counts
    "万人次": "wan_visit", "人次": "visit", "万人": "wan_person", "人": "person",
    # time and length
    "毫米": "mm", "天": "day", "年": "year",
    # dimensionless
    "无量纲": "dimensionless", "％": "percent", "%": "percent",
}
# An alias never matches inside a registry identifier ("m3" in "wan_m3"), hence the look-behind.
_ALIAS_RE = re.compile("(?<![A-Za-z_])(?:" + "|".join(re.escape(k) for k in sorted(_ALIASES, key=len, reverse=True)) + ")")
#: In Chinese and SI typography a solidus governs the whole product after it: t/hm²·a = t/(hm²·a).
_SOLIDUS_PRODUCT_RE = re.compile(r"/([^/()]*[·⋅][^/()]*)$")


class UnitError(ValueError):
    """A unit is missing, unknown, or of the wrong dimension. The message says how to fix it."""


def normalise_unit_text(text: str) -> str:
    """Rewrite Chinese and informal unit spellings to registry identifiers (no parsing)."""
    text = text.strip().replace("／", "/").replace("（", "(").replace("）", ")")
    text = _SOLIDUS_PRODUCT_RE.sub(lambda m: f"/({m.group(1)})", text)
    text = _ALIAS_RE.sub(lambda m: _ALIASES[m.group(0)], text)  # before '·' so 'kW·h' is still one token
    return text.replace("·", "*").replace("⋅", "*").replace("×", "*")


@functools.lru_cache(maxsize=1024)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit as written in an inventory header or register, e.g. ``"万m³"``, ``"元/t CO₂"``.

    ``"1"``, ``"-"`` and ``"无量纲"`` mean dimensionless. Raises :class:`UnitError` for an empty or
    unknown unit.
    """
    if text is None or not str(text).strip():
        raise UnitError("no unit given")
    raw = str(text).strip()
    if raw in ("1", "-", "–", "无量纲", "dimensionless"):
        return ureg.dimensionless
    try:
        unit = ureg.parse_units(normalise_unit_text(raw))
    except (pint.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError,
            ValueError, SyntaxError, AssertionError) as exc:
        raise UnitError(f"unknown unit '{raw}'") from exc
    return unit


def dimensionality_text(unit: pint.Unit | str) -> str:
    unit = parse_unit(unit) if isinstance(unit, str) else unit
    return str(unit.dimensionality) if unit.dimensionality else "dimensionless"


@functools.lru_cache(maxsize=1024)
def conversion(from_unit: str, to_unit: str) -> tuple[str, float]:
    """How to convert magnitudes from one unit to another, exactly where the ratio allows.

    Returns ``("mul", k)`` or ``("div", k)``. A factor whose reciprocal is a whole number
    (亩→hm² is 1/15) is applied as a division, so 1500 亩 and 100 hm² give the same float.
    Raises :class:`UnitError` if the dimensions differ.
    """
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(
            f"unit '{from_unit}' ({dimensionality_text(src)}) cannot be converted to '{to_unit}' "
            f"({dimensionality_text(dst)})")
    if float(Quantity(0.0, src).to(dst).magnitude) != 0.0:
        raise UnitError(f"'{from_unit}' → '{to_unit}' needs an offset (like °C → K), which gep does not "
                        f"convert; give the values in {to_unit}")
    factor = float(Quantity(1.0, src).to(dst).magnitude)
    inverse = Fraction(1 / factor).limit_denominator(1) if factor != 0 else None
    if factor < 1 and inverse is not None and abs(float(inverse) * factor - 1) < 1e-12:
        return ("div", float(inverse))
    rounded = round(factor)
    if rounded != 0 and abs(rounded - factor) <= 1e-12 * abs(factor):
        return ("mul", float(rounded))
    return ("mul", factor)


def convert_magnitude(values, from_unit: str, to_unit: str):
    """Convert plain magnitudes (scalar or array) between units; see :func:`conversion`."""
    how, k = conversion(from_unit, to_unit)
    if k == 1.0:
        return values
    return values / k if how == "div" else values * k


def to_magnitude(q: pint.Quantity, unit: str):
    """Magnitude of ``q`` in ``unit``, with the same exact-ratio rule as :func:`convert_magnitude`."""
    if not isinstance(q, pint.Quantity):
        raise UnitError(f"expected a quantity in {unit}, got a bare {type(q).__name__}; "
                        f"attach a unit, e.g. gep.units.Quantity(value, '{unit}')")
    return convert_magnitude(q.magnitude, str(q.units), unit)


#: Molar-mass ratio CO2/C (44.0095/12.011 ≈ 3.664 is the exact chemistry; GEP practice and
#: LY/T 1721-2008 use 44/12, i.e. 27.27 % C in CO2 — gep-methods.md §4.7, status verified).
CO2_PER_C = 44.0 / 12.0
#: O2 released per CO2 fixed by photosynthesis, 32/44 by mass (same basis as CO2).
O2_PER_CO2 = 32.0 / 44.0


def _bridge(q: pint.Quantity, src: str, dst: str, factor: float, name: str) -> pint.Quantity:
    check_dimension(q, f"[{src}]", name, allow_rate=True)
    per_year = q.dimensionality != ureg.get_dimensionality(f"[{src}]")
    src_unit = {"carbon": "t_C", "carbon_dioxide": "t_CO2"}[src] + ("/a" if per_year else "")
    dst_unit = {"carbon": "t_C", "carbon_dioxide": "t_CO2"}[dst] + ("/a" if per_year else "")
    return quantity(as_array(q, src_unit) * factor, dst_unit)


def carbon_to_co2(carbon: pint.Quantity) -> pint.Quantity:
    """Carbon mass → CO₂ mass with the explicit 44/12 factor: the only bridge between the two.

    Parameters
    ----------
    carbon : Quantity, [carbon] or [carbon]/[time] (e.g. t C/a)

    Returns
    -------
    Quantity in t CO₂ (or t CO₂/a).
    """
    return _bridge(carbon, "carbon", "carbon_dioxide", CO2_PER_C, "carbon")


def co2_to_carbon(co2: pint.Quantity) -> pint.Quantity:
    """CO₂ mass → carbon mass with the explicit 12/44 factor."""
    return _bridge(co2, "carbon_dioxide", "carbon", 1.0 / CO2_PER_C, "co2")


def _dimensionality(expected: str):
    if expected in ("", "1", "dimensionless"):
        return ureg.dimensionless.dimensionality
    return ureg.get_dimensionality(expected)


def check_dimension(value, expected: str, name: str, allow_rate: bool = False) -> None:
    """Raise :class:`UnitError` unless ``value`` is a Quantity of dimensionality ``expected``.

    ``expected`` is a pint dimensionality string such as ``"[length]"`` or ``"[currency]/[length]**3"``.
    With ``allow_rate`` the value may also be that dimension per time (t C or t C/a).
    """
    want = _dimensionality(expected)
    if not isinstance(value, pint.Quantity):
        raise UnitError(f"argument '{name}' has no unit; expected {expected}. "
                        f"Pass e.g. gep.units.Quantity(value, '<unit>')")
    got = value.dimensionality
    if got == want:
        return
    if allow_rate and got == want / ureg.get_dimensionality("[time]"):
        return
    raise UnitError(f"argument '{name}' has unit '{value.units}' ({got or 'dimensionless'}); "
                    f"expected {expected}")


def check_units(per_year: tuple[str, ...] = (), **expected: str):
    """Decorator: check the dimensionality of named Quantity arguments at the call boundary.

    ``@check_units(area="[area]", precipitation="[length]")``. Arguments passed as ``None`` are
    skipped (optional inputs). The error names the argument, its unit and the expected dimension.
    Arguments named in ``per_year`` are amounts of one accounting year and may also be given as an
    annual rate (``mm/a`` for ``mm``); a rate is turned into the amount of one year (× 1 a).
    """
    year = Quantity(1.0, "year")

    def decorate(func):
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            for name, dim in expected.items():
                value = bound.arguments.get(name)
                if value is None:
                    continue
                try:
                    check_dimension(value, dim, name, allow_rate=name in per_year)
                except UnitError as exc:
                    raise UnitError(f"{func.__name__}(): {exc}") from None
                if name in per_year and value.dimensionality != _dimensionality(dim):
                    bound.arguments[name] = (value * year).to_reduced_units()
            return func(*bound.args, **bound.kwargs)

        wrapper.expected_units = dict(expected)
        return wrapper
    return decorate


def as_array(q: pint.Quantity, unit: str) -> np.ndarray:
    """Float ndarray of ``q`` expressed in ``unit`` (a kernel's working magnitudes)."""
    return np.asarray(to_magnitude(q, unit), dtype=float)


def quantity(value, unit: str) -> pint.Quantity:
    """A Quantity from a value and a unit written as in an inventory (``quantity(3, "万m³")``)."""
    return Quantity(value, parse_unit(unit))
