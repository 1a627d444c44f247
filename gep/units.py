"""The package's one pint registry, Chinese unit spellings, and unit checks at function boundaries.

Every quantity that enters gep carries a unit, and every unit is parsed here. Chinese statistical
spellings (亩, 公顷, 万m³, 亿元, 万人次, t CO₂ …) are rewritten to the identifiers of
``gep/data/units.txt`` before pint parses them; pint alone would read ``万m³`` as ``(万m)³`` and
``mu`` as milli-atomic-mass-unit.

Design (after MetPy and xclim): units are checked and converted where data cross into a calculator;
inside, kernels work on float magnitudes in canonical units.

Conversion factors are exact rationals (:func:`conversion`), read from the registry's own definition text
(``mu = 10000 / 15 * meter ** 2`` is 2000/3 m², not 666.666…), and applied to floats as ``x × p / q``
(:func:`scale`), so a result that a float can hold exactly comes out exactly: 0.3 万亩 is 200 hm², where
0.3 × 666.6666666666666 is 199.99999999999997.
"""
from __future__ import annotations

import functools
import inspect
import math
import os
import re
import tokenize
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np
import pint
import platformdirs
from pint.delegates.base_defparser import ParserConfig
from pint.delegates.txt_defparser.plain import PrefixDefinition, UnitDefinition

from .reading import shown


def _registry() -> pint.UnitRegistry:
    """pint's registry with gep's units, its parsed definitions cached on disk.

    Parsing pint's definition file was most of ``import gep`` (0.23 s of every command). pint keeps the parsed
    definitions in a cache folder, keyed by the content of the files, so a new pint version or an edited
    ``units.txt`` parses again: gep's folder in the user's cache directory (``platformdirs``), or the folder named
    by ``GEP_CACHE`` (``GEP_CACHE=off``: no cache). A cache that cannot be read or written is passed over."""
    options = {"on_redefinition": "raise", "autoconvert_offset_to_baseunit": True}
    units = str(resources.files("gep") / "data" / "units.txt")
    folder = os.environ.get("GEP_CACHE") or str(platformdirs.user_cache_path("gep", appauthor=False))
    if folder != "off":
        try:  # pint's definitions and gep's, each from its cache file when that is there and readable
            registry = pint.UnitRegistry(cache_folder=Path(folder) / f"pint-{pint.__version__}", **options)
            registry.load_definitions(units)
            return registry
        except Exception:  # noqa: BLE001 - e.g. a read-only home, or a cache file another process is writing
            pass
    registry = pint.UnitRegistry(**options)
    registry.load_definitions(units)
    return registry


ureg = _registry()
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


#: The longest unit text parsed; the longest gep knows, "t*hm2*h/(hm2*MJ*mm)", has 19 characters.
MAX_UNIT_CHARACTERS = 200


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
    if len(raw) > MAX_UNIT_CHARACTERS:  # pint takes minutes over a name of 10⁵ characters (prefixes × suffixes)
        raise UnitError(f"unknown unit '{shown(raw)}': too long to be a unit")
    try:
        unit = ureg.parse_units(normalise_unit_text(raw))
    except (pint.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, TypeError,
            ValueError, SyntaxError, AssertionError, tokenize.TokenError) as exc:  # "(" or "{": an unclosed bracket
        raise UnitError(f"unknown unit '{shown(raw)}'") from exc
    return unit


def dimensionality_text(unit: pint.Unit | str) -> str:
    unit = parse_unit(unit) if isinstance(unit, str) else unit
    return str(unit.dimensionality) if unit.dimensionality else "dimensionless"


#: pint's own definition parser, reading numbers as exact rationals (``1e4`` is 10000, ``10000 / 15`` is 2000/3)
_EXACT_PARSER = ParserConfig(Fraction)


def _exact_number(value) -> Fraction:
    """``value`` as a Fraction: a Fraction as it is; a float (what pint computed where no definition text is
    exact: a fractional power, a definition made in code) as exactly that float."""
    return value if isinstance(value, Fraction) else Fraction(value)


def _power(factor: Fraction, exponent) -> Fraction:
    """``factor ** exponent``, exact for a whole exponent however it is stored (2, 2.0, Fraction(2))."""
    if exponent == int(exponent):
        return factor ** int(exponent)
    return _exact_number(factor ** exponent)  # a fractional exponent (√): a float


@functools.lru_cache(maxsize=None)
def _exact_prefix(name: str) -> Fraction:
    if not name:
        return Fraction(1)
    definition = ureg._prefixes[name]
    raw = getattr(definition, "raw", None)
    parsed = PrefixDefinition.from_string_and_config(raw, _EXACT_PARSER) if raw else None
    return _exact_number(parsed.value if isinstance(parsed, PrefixDefinition) else definition.value)


@functools.lru_cache(maxsize=None)
def _exact_root(name: str) -> Fraction:
    """Exact factor from the registry unit ``name`` (a canonical name, prefixed or not) to its root units.

    Walks the definition tree: each definition's scale and reference are read again from its text in the
    registry (``definition.raw``) with pint's parser set to exact rationals; the float scale pint keeps is
    used only for a definition without text. Raises :class:`UnitError` for a unit with an offset or a
    logarithmic scale."""
    definition = ureg._units.get(name)
    prefix = Fraction(1)
    if definition is None or getattr(definition, "raw", None) is None:
        # a prefixed unit (pint adds 'millimeter' to its table as 0.001 × meter, without text): the prefix's text
        prefix_name, unit_name, _ = next((c for c in ureg.parse_unit_name(name) if c[0] and c[0] + c[1] == name),
                                         ("", name, ""))
        if prefix_name:
            prefix, definition = _exact_prefix(prefix_name), ureg._units[unit_name]
    if definition.is_base:
        return prefix
    if not definition.is_multiplicative:
        raise UnitError(f"'{name}' has an offset or a logarithmic scale, which gep does not convert")
    raw = getattr(definition, "raw", None)
    parsed = UnitDefinition.from_string_and_config(raw, _EXACT_PARSER) if raw else None
    if isinstance(parsed, UnitDefinition) and parsed.name == definition.name:
        scale, reference = _exact_number(parsed.converter.scale), parsed.reference
    else:
        scale, reference = _exact_number(definition.converter.scale), definition.reference
    factor = prefix * scale
    for ref, exponent in reference.items():
        factor *= _power(_exact_root(ref), exponent)
    return _exact_number(factor)


@functools.lru_cache(maxsize=1024)
def conversion(from_unit: str, to_unit: str) -> Fraction:
    """The exact factor k (a :class:`~fractions.Fraction`) with ``value [to_unit] = k × value [from_unit]``.

    1 亩 = 10 000/15 m² (市亩, 666.67 m²): 亩 → hm² is 1/15, 万亩 → hm² is 2000/3, kJ → kWh is 1/3600,
    % → 1 is 1/100. Apply it with :func:`scale` (floats) or :func:`convert_text` (decimal text).
    Raises :class:`UnitError` if the dimensions differ or the conversion needs an offset (°C → K).
    """
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(
            f"unit '{from_unit}' ({dimensionality_text(src)}) cannot be converted to '{to_unit}' "
            f"({dimensionality_text(dst)})")
    if float(Quantity(0.0, src).to(dst).magnitude) != 0.0:
        raise UnitError(f"'{from_unit}' → '{to_unit}' needs an offset (like °C → K), which gep does not "
                        f"convert; give the values in {to_unit}")
    try:
        factor = Fraction(1)
        for name, exponent in src._units.items():
            factor *= _power(_exact_root(name), exponent)
        for name, exponent in dst._units.items():
            factor /= _power(_exact_root(name), exponent)
        factor = _exact_number(factor)
    except UnitError as exc:
        raise UnitError(f"'{from_unit}' → '{to_unit}': {exc}; give the values in {to_unit}") from None
    # pint's float factor: the exact one must agree with it (else the definition walk above is wrong)
    approximate = float(Quantity(1.0, src).to(dst).magnitude)
    if not math.isclose(float(factor), approximate, rel_tol=1e-12):
        raise AssertionError(f"exact factor {factor} for '{from_unit}' → '{to_unit}' differs from pint's "
                             f"{approximate!r}")
    return factor


def _as_float(n: int) -> float | None:
    """``n`` as a float if the float is exactly ``n``, else None."""
    f = float(n)
    return f if f == n else None


def scale(values, factor: Fraction):
    """``values × factor`` for floats (scalar or array), applied as ``x × p / q`` with the integers p/q of the
    exact factor — a single multiplication or division when q or p is 1 — so that a result a float can hold
    exactly is exact (0.3 万亩 → 0.3 × 2000 / 3 = 200 hm²; 0.3 × float(2000/3) is 199.99999999999997).
    A p or q beyond 2⁵³ that a float cannot hold is applied as one multiplication by the nearest float."""
    factor = factor if isinstance(factor, Fraction) else Fraction(factor)
    p, q = factor.numerator, factor.denominator
    fp, fq = _as_float(p), _as_float(q)
    if fp is None or fq is None:
        return values * float(factor)
    if q == 1:
        return values if p == 1 else values * fp
    if p == 1:
        return values / fq
    return values * fp / fq


def decimal_shift(factor: Fraction) -> tuple[int, Fraction]:
    """``factor`` as ``10**e × rest`` with the powers of ten of its numerator and denominator in ``e``
    (万 → (4, 1), 万亩 → hm² → (3, 2/3), kJ → kWh → (−2, 1/36), 亩 → hm² → (0, 1/15))."""
    e, p, q = 0, factor.numerator, factor.denominator
    while p and p % 10 == 0:
        p, e = p // 10, e + 1
    while q % 10 == 0:
        q, e = q // 10, e - 1
    return e, Fraction(p, q)


def convert_text(text: str, from_unit: str, to_unit: str) -> float:
    """A number written as decimal text (``"0.2"``) converted exactly and rounded once to a float:
    ``float(Fraction(text) × k)``. Raises ValueError if the text is not a finite decimal number."""
    return float(Fraction(text.strip()) * conversion(from_unit, to_unit))


def plain_unit(unit: pint.Unit | str) -> pint.Unit:
    """``unit`` with each 万 and 亿 multiple (the ``wan_…`` and ``yi_…`` units of ``units.txt``) replaced by the
    unit it multiplies: 万t → t, 万元/t → 元/t, 亿m³ → m³, 万t CO₂ → t CO₂; other units are kept. A product
    ``Q × p`` is computed on operands converted exactly to their plain units, so 1.5 万t × 0.2 万元/t is
    15 000 t × 2000 元/t = 30 000 000 元 exactly (1.5 × 0.2 × 10⁸ in floats is 30 000 000.000000004)."""
    unit = parse_unit(unit) if isinstance(unit, str) else unit
    out = ureg.dimensionless
    for name, exponent in unit._units.items():
        if name.startswith(("wan_", "yi_")) and name in ureg._units:
            out *= ureg.Unit(ureg._units[name].reference) ** exponent
        else:
            out *= ureg.Unit(name) ** exponent
    return out


def convert_magnitude(values, from_unit: str, to_unit: str):
    """Convert plain magnitudes (scalar or array) between units: ``x × p / q`` (:func:`conversion`, :func:`scale`)."""
    return scale(values, conversion(from_unit, to_unit))


def to_magnitude(q: pint.Quantity, unit: str):
    """Magnitude of ``q`` in ``unit``, converted exactly as by :func:`convert_magnitude`."""
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
