"""The grid description (``grid.yaml``) and its layers, opened lazily and checked against one grid.

Format (paths relative to the grid file)::

    source: "synthetic layers made by make_rasters.py"   # optional, shown in traces
    status: estimated                                     # optional; default unverified
    chunks: 1024                                          # optional block size in cells
    land_cover:                                           # ecosystem-type layer (integer classes)
      file: landcover.tif
      classes: {1: forest, 2: shrub, 5: wetland_reservoir}   # class → ecosystem key (gep/data/inventory.yaml)
    regions:                                              # administrative units: a raster of codes ...
      file: regions.tif
      codes: {1: "500229001"}                             # optional; default: the cell value is the code
    # regions: {file: townships.geojson, field: code}     # ... or polygons, rasterised onto the grid
    resample: {npp: bilinear}                             # only when asked; method recorded in the run notes
    years:
      2020:
        precipitation: {file: p_2020.tif, unit: mm/a}
        evapotranspiration: {file: et.nc, variable: et, unit: mm/a, nodata: -9999}
        cooling_days: {value: 75, unit: d}                # a constant layer (optional: without it, each
                                                          # region's days of the inventory's climate table, as
                                                          # the method profile derives them)
        land_cover: {file: landcover_2020.tif}            # optional: this year's own land cover

Every layer declares its unit, converted once to the kernel unit (:data:`KERNEL_UNITS`) by an exact factor
(applied as ``x × p / q``, :func:`gep.units.scale`);
kernels then work on magnitudes. All rasters must share the land-cover layer's CRS, transform and shape:
a mismatch is one error naming every offending layer and what differs, unless ``resample`` names the
layer, in which case it is reprojected onto the land-cover grid with that method and the run says so.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..catalogue import inventory_spec
from ..inventory import InventoryError, Problem
from ..reading import ReadError, load_yaml, yaml_text
from ..units import UnitError, conversion, dimensionality_text, parse_unit, ureg

#: layer name → (kernel unit, whether an annual rate such as mm/a is accepted for the year's amount)
KERNEL_UNITS: dict[str, tuple[str, bool]] = {
    "precipitation": ("mm", True),
    "evapotranspiration": ("mm", True),
    "runoff_coefficient": ("1", False),
    "rainfall_erosivity": ("MJ*mm/(hectare*h)", True),
    "soil_erodibility": ("t*hectare*h/(hectare*MJ*mm)", False),
    "slope_length_steepness": ("1", False),
    "dem": ("m", False),
    "slope_length": ("m", False),
    "cover_management": ("1", False),
    "support_practice": ("1", False),
    "npp": ("gram_carbon/m**2", True),
    "cooling_days": ("day", False),
}
DEFAULT_CHUNK = 1024
#: A block wider than this (4·10⁹ cells, 16 GiB of float32) is a typo, and a block is held in memory whole.
MAX_CHUNK = 1 << 16
RESAMPLING = ("nearest", "bilinear", "cubic", "average", "mode", "max", "min", "med", "sum")
MIN_YEAR, MAX_YEAR = 1900, 2100  # the years an inventory may hold (gep.inventory)

_TEXT = {"type": "string"}
_LAYER_ENTRY = {  # a layer of a year: a raster (file, variable of a NetCDF, nodata) or a constant (value)
    "type": "object",
    "properties": {"file": {"type": "string", "minLength": 1}, "variable": _TEXT, "unit": {"type": ["string", "number"]},
                   "nodata": {"type": "number"}, "value": {"type": "number"}},
    "additionalProperties": False,
}
#: The shape of a grid description (the module doc); what the shape cannot say — mapping keys that must be whole
#: numbers, finite constants, units, layer names, sections needed — is checked by :func:`grid_document` and
#: :func:`load_grid` with their own messages.
SCHEMA = {
    "type": "object",
    "properties": {
        "source": _TEXT, "status": _TEXT,
        "chunks": {"type": "integer", "minimum": 1, "maximum": MAX_CHUNK},
        # a section left empty (or out) is said by load_grid as a missing section, not as a wrong type
        "land_cover": {"type": ["object", "null"], "properties": {
            "file": {"type": "string", "minLength": 1}, "variable": _TEXT, "nodata": {"type": "number"},
            "classes": {"type": "object", "additionalProperties": _TEXT}}, "additionalProperties": False},
        "regions": {"type": ["object", "null"], "properties": {
            "file": {"type": "string", "minLength": 1}, "variable": _TEXT, "nodata": {"type": "number"},
            "field": _TEXT, "codes": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}}},
            "additionalProperties": False},
        "resample": {"type": "object", "additionalProperties": _TEXT},
        "years": {"type": ["object", "null"], "additionalProperties": {"type": ["object", "null"],
                                                             "additionalProperties": _LAYER_ENTRY}},
    },
    "additionalProperties": False,
}


class GridError(InventoryError):
    """The grid description or its layers have problems; ``problems`` lists all of them."""

    subject = "the grid"


@dataclass(frozen=True)
class WindowSource:
    """A layer read straight from its file, one window per block, inside the block's own task.

    Blocks that read their inputs themselves need no separate read tasks, so a block never waits for
    layers read on another worker and a worker holds only the blocks it is computing. It is a reader, so it
    lives here with :func:`open_raster`: :mod:`gep.grid.zonal` uses it, the reader never needs the sums."""

    path: str
    variable: str | None
    shape: tuple[int, int]
    block: int

    def read(self, rows: slice, cols: slice) -> np.ndarray:
        if self.variable is None:
            import rasterio
            from rasterio.windows import Window
            with rasterio.open(self.path) as src:
                return src.read(1, window=Window.from_slices(rows, cols))
        with _NETCDF_LOCK:  # the netCDF4/HDF5 library is not thread-safe: concurrent reads crash the process
            layer = open_raster(Path(self.path), self.variable, None)
            try:
                return layer.isel(y=rows, x=cols).values
            finally:
                layer.close()


#: one NetCDF read at a time in a process (dask threads share it; distributed workers each have their own)
_NETCDF_LOCK = threading.Lock()


@dataclass
class Layer:
    """One layer: a 2-D array (numpy or dask, raw values as stored) or a constant, with its unit.

    ``factor`` (exact, applied with :func:`gep.units.scale`) converts the stored magnitudes to the kernel unit;
    ``nodata`` marks missing cells."""

    name: str
    unit: str
    file: Path | None = None
    variable: str | None = None
    data: object = None  # xarray.DataArray (y, x) or None for a constant
    value: float | None = None
    nodata: float | None = None
    factor: Fraction = Fraction(1)
    as_stored: bool = True  # False once resampled or rasterised: the cells are no longer the file's

    def cells(self, chunks: int | None):
        """The raw cells for the zonal pass: read window by window from the file when blocked and as
        stored, else the (numpy or dask) array."""
        if chunks and self.as_stored and self.file is not None:
            return WindowSource(str(self.file), self.variable, tuple(self.data.shape), chunks)
        return self.data.data

    @property
    def label(self) -> str:
        where = self.file.name if self.file is not None else f"constant {self.value:g}"
        return f"{self.name} ({where}{':' + self.variable if self.variable else ''})"


@dataclass
class Grid:
    """The opened grid: layers per year on one grid, the land-cover classes and the region codes."""

    path: Path
    years: dict[int, dict[str, Layer]]
    land_cover: dict[int, Layer]
    classes: dict[int, str]  # raster class → ecosystem key
    regions: Layer
    region_codes: dict[int, str]  # raster value → region code
    crs: object
    transform: object
    shape: tuple[int, int]
    chunks: int | None
    source: str = ""
    status: str = "unverified"
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file the description names

    @property
    def cell_size(self) -> tuple[float, float]:
        """(dx, dy) [m]: the width of a column and the height of a row, from the transform (|a|, |e|; the CRS's
        linear unit is checked to be metres, and a rotated or sheared transform is refused by :func:`load_grid`)."""
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def cell_area_hm2(self) -> float:
        """Area of one cell [hm²] = |dx · dy| / 10⁴ (30 × 60 m cells are 0.18 hm²)."""
        dx, dy = self.cell_size
        return dx * dy / 1e4

    @property
    def ecosystems(self) -> list[str]:
        """Ecosystem keys of the land-cover classes, in the vocabulary's order (the zonal sums' columns)."""
        present = set(self.classes.values())
        return [e for e in inventory_spec()["vocabularies"]["ecosystem"] if e in present]


def kernel_factor(name: str, unit: str) -> Fraction:
    """Exact factor (:func:`gep.units.conversion`) from a layer's declared unit to its kernel unit; an annual
    rate (mm/a) is the year's amount. Apply it with :func:`gep.units.scale`.

    Raises :class:`UnitError` naming the layer when the unit is missing, unknown or of another dimension."""
    target, per_year = KERNEL_UNITS[name]
    try:
        given = parse_unit(unit)
    except UnitError as exc:
        raise UnitError(f"layer '{name}': {exc}; declare e.g. unit: {target}") from None
    want = parse_unit(target)
    try:
        if given.dimensionality == want.dimensionality:
            return conversion(unit, target)
        if per_year and given.dimensionality == (want / ureg.year).dimensionality:
            return conversion(f"({unit})*year", target)
    except UnitError as exc:
        raise UnitError(f"layer '{name}': {exc}") from None
    raise UnitError(f"layer '{name}': unit '{unit}' ({dimensionality_text(given)}) is not "
                    f"{dimensionality_text(want)}{' (or per year)' if per_year else ''}; expected e.g. {target}")


def open_raster(path: Path, variable: str | None, chunks: int | None):
    """A 2-D DataArray (y, x) with CRS and transform, lazily chunked when ``chunks`` is given."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    import xarray as xr

    spec = {"x": chunks, "y": chunks} if chunks else None
    if path.suffix.lower() in (".nc", ".nc4", ".netcdf"):
        ds = xr.open_dataset(path, chunks=spec, decode_coords="all", mask_and_scale=False, cache=False)
        if variable is None or variable not in ds:
            raise KeyError(f"NetCDF variable '{variable}' not in {path.name} (variables: {', '.join(ds.data_vars)})")
        da = ds[variable]
    else:
        import rioxarray as rxr
        da = rxr.open_rasterio(path, chunks=spec, masked=False, lock=False)  # blocks read in parallel
        if da.sizes.get("band", 1) != 1:
            raise ValueError(f"{path.name} has {da.sizes['band']} bands; give one band per layer")
        da = da.squeeze("band", drop=True)
    extra = [d for d in da.dims if d not in ("y", "x")]
    if extra:
        if any(da.sizes[d] != 1 for d in extra):
            raise ValueError(f"{path.name}: dimensions {extra} besides y, x; give one 2-D field per layer and year")
        da = da.squeeze(extra, drop=True)
    return da.transpose("y", "x")


def _rasterise_polygons(path: Path, field_name: str, reference, chunks: int | None):
    """Region ids (1..n) burnt from GeoJSON polygons onto the reference grid, block by block (cell centres,
    rasterio.features.rasterize, all_touched=False); returns (DataArray, {id: code})."""
    from rasterio import features
    from rasterio.transform import Affine

    doc = json.loads(path.read_text(encoding="utf-8"))
    shapes, codes = [], {}
    for i, feat in enumerate(doc.get("features", []), start=1):
        code = feat.get("properties", {}).get(field_name)
        if code is None:
            raise ValueError(f"{path.name}: feature {i} has no property '{field_name}'")
        code = str(code)
        ident = next((k for k, v in codes.items() if v == code), len(codes) + 1)
        codes[ident] = code
        shapes.append((feat["geometry"], ident))
    transform = reference.rio.transform()

    def burn(block, block_info=None):
        (y0, _), (x0, _) = block_info[0]["array-location"] if block_info else ((0, 0), (0, 0))
        return features.rasterize(shapes, out_shape=block.shape, fill=0, dtype="int32",
                                  transform=transform @ Affine.translation(x0, y0))

    data = reference.data
    if chunks:
        out = data.map_blocks(burn, dtype="int32")
    else:
        out = burn(np.empty(reference.shape))
    return reference.copy(data=out), codes


def _grid_of(da) -> tuple:
    return da.rio.crs, da.rio.transform(), (int(da.sizes["y"]), int(da.sizes["x"]))


def _rotated(transform) -> bool:
    """Whether the transform rotates or shears the cells (b or d ≠ 0): x then depends on the row, y on the column."""
    return transform.b != 0 or transform.d != 0


def _describe(crs, transform, shape) -> str:
    return (f"{crs}, {abs(transform.a):g} × {abs(transform.e):g} cells, {shape[0]} × {shape[1]} "
            f"from ({transform.c:g}, {transform.f:g})")


def _differences(crs, transform, shape, ref) -> list[str]:
    rcrs, rtransform, rshape = ref
    out = []
    if crs != rcrs:
        out.append(f"CRS {crs} (expected {rcrs})")
    if (abs(transform.a), abs(transform.e)) != (abs(rtransform.a), abs(rtransform.e)):
        out.append(f"resolution {abs(transform.a):g} × {abs(transform.e):g} (expected "
                   f"{abs(rtransform.a):g} × {abs(rtransform.e):g})")
    if (transform.c, transform.f) != (rtransform.c, rtransform.f) or shape != rshape:
        out.append(f"extent {shape[0]} × {shape[1]} cells from ({transform.c:g}, {transform.f:g}) "
                   f"(expected {rshape[0]} × {rshape[1]} from ({rtransform.c:g}, {rtransform.f:g}))")
    return out


def _key_path(parts) -> str:
    return ".".join(str(p) for p in parts) or "(top)"


def _shape_problems(doc, label: str) -> list[Problem]:
    """What in ``doc`` does not fit :data:`SCHEMA`, and mapping keys that are not whole numbers (land-cover
    classes, region values) or years; each problem names the key path."""
    import jsonschema

    from ..reading import shown

    problems = []
    for error in sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(doc), key=lambda e: list(map(str, e.path))):
        where = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = list(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - set(known), key=str):
                problems.append(Problem(label, None, _key_path([*where, key]), "unknown key; known: "
                                        + ", ".join(known)))
        elif where == ["chunks"]:
            problems.append(Problem(label, None, "chunks", f"'{shown(error.instance)}' is not a block size: a whole "
                                    f"number of cells from 1 to {MAX_CHUNK}"))
        elif error.validator == "type" and not where:
            problems.append(Problem(label, None, None, "a grid description is a mapping of keys (land_cover, "
                                    f"regions, years, …), not {type(doc).__name__} {shown(doc, 60)}"))
        else:
            problems.append(Problem(label, None, _key_path(where), shown(error.message, 200)))
    if problems or not isinstance(doc, dict):
        return problems

    def whole(key) -> bool:  # 1, not '1', 1.5 or true: a raster's cells are whole numbers
        return isinstance(key, int) and not isinstance(key, bool)

    for section, what in (("land_cover", "a land-cover class"), ("regions", "a region value")):
        mapping = (doc.get(section) or {}).get("classes" if section == "land_cover" else "codes") or {}
        for key in mapping:
            if not whole(key):
                problems.append(Problem(label, None, _key_path([section, "classes" if section == "land_cover"
                                                                else "codes", key]),
                                        f"'{shown(key)}' is not {what} (a whole number of the raster)"))
    for year, entries in (doc.get("years") or {}).items():
        if not whole(year) or not MIN_YEAR <= year <= MAX_YEAR:
            problems.append(Problem(label, None, _key_path(["years", year]),
                                    f"'{shown(year)}' is not a year {MIN_YEAR}–{MAX_YEAR}"))
        for name, entry in (entries or {}).items():
            value = entry.get("value")
            if value is not None and not np.isfinite(value):
                problems.append(Problem(label, None, _key_path(["years", year, name, "value"]),
                                        f"{value} is not a finite number"))
            if "file" not in entry and ("value" not in entry or name == "land_cover"):
                problems.append(Problem(label, None, _key_path(["years", year, name]),
                                        "give file: (a raster)" + ("" if name == "land_cover" else
                                                                   " or value: (a constant)")))
    return problems


def grid_document(path: str | Path) -> dict:
    """The grid description at ``path`` as a mapping whose shape is checked (:data:`SCHEMA`); :class:`GridError`
    names the file, and the key path of each problem, when it cannot be read or does not fit."""
    path = Path(path)
    label = path.name
    try:
        doc = load_yaml(path)
    except ReadError as exc:
        raise GridError([Problem(label, None, None, "cannot read the grid description: "
                                 + (f"line {exc.line}: " if exc.line else "") + exc.message)]) from None
    doc = {} if doc is None else doc
    problems = _shape_problems(doc, label)
    if problems:
        raise GridError(problems)
    return doc


def load_grid(path: str | Path, chunks: int | None | bool = True) -> Grid:
    """Read ``grid.yaml``, open every layer (lazily with dask when ``chunks``), check them; see module doc.

    ``chunks=True`` uses the file's ``chunks`` (default 1024 cells); ``None``/``False`` reads numpy arrays.
    Raises :class:`GridError` listing every problem (file, layer, what differs)."""
    path = Path(path)
    label = path.name
    doc = grid_document(path)
    if chunks is True:
        chunks = int(doc.get("chunks", DEFAULT_CHUNK))
    chunks = chunks or None
    problems: list[Problem] = []
    for key in ("land_cover", "regions", "years"):
        if not isinstance(doc.get(key), dict):
            problems.append(Problem(label, None, key, f"missing '{key}:' section (see gep.grid.layers)"))
    if problems:
        raise GridError(problems)
    ecosystems = inventory_spec()["vocabularies"]["ecosystem"]
    classes = {}
    for k, v in (doc["land_cover"].get("classes") or {}).items():
        if v not in ecosystems:
            problems.append(Problem(label, None, "land_cover.classes",
                                    f"class {k}: '{v}' is not an ecosystem key ({', '.join(ecosystems)})"))
        classes[int(k)] = v
    if not classes:
        problems.append(Problem(label, None, "land_cover.classes", "no class → ecosystem map given"))
    resample = {str(k): str(v) for k, v in (doc.get("resample") or {}).items()}
    for name, method in resample.items():
        if method not in RESAMPLING:
            problems.append(Problem(label, None, f"resample.{name}",
                                    f"unknown method '{method}' (one of {', '.join(RESAMPLING)})"))
    files: list[Path] = []
    opened: list[tuple[str, Layer]] = []  # (role, layer) for the grid check

    def raster(name: str, entry: dict, unit: str, role: str) -> Layer | None:
        file = (path.parent / str(entry["file"])).resolve()
        if not file.is_file():
            problems.append(Problem(str(entry["file"]), None, name, f"file not found (named in {label})"))
            return None
        files.append(file)
        try:
            da = open_raster(file, entry.get("variable"), chunks)
        except (OSError, KeyError, ValueError) as exc:
            problems.append(Problem(file.name, None, name, f"cannot be opened as a raster: {exc}"))
            return None
        declared, stored = entry.get("nodata"), da.rio.nodata
        if declared is not None and stored is not None and not np.isnan(stored) and float(declared) != float(stored):
            problems.append(Problem(file.name, None, name, f"nodata differs: the file says {stored:g}, "
                                    f"{label} says {float(declared):g}"))
        nodata = float(declared) if declared is not None else (None if stored is None else float(stored))
        layer = Layer(name, unit, file, entry.get("variable"), da, nodata=nodata)
        opened.append((role, layer))
        return layer

    def layer_of(name: str, entry) -> Layer | None:
        if not isinstance(entry, dict) or "unit" not in entry or not str(entry["unit"]).strip():
            problems.append(Problem(label, None, name, f"no unit declared; write e.g. "
                                    f"{{file: ..., unit: {KERNEL_UNITS.get(name, ('…',))[0]}}}"))
            return None
        if name not in KERNEL_UNITS:
            problems.append(Problem(label, None, name, f"unknown layer; layers are {', '.join(KERNEL_UNITS)}"))
            return None
        try:
            factor = kernel_factor(name, str(entry["unit"]))
        except UnitError as exc:
            problems.append(Problem(label, None, name, str(exc)))
            return None
        if "value" in entry:
            return Layer(name, str(entry["unit"]), value=float(entry["value"]), factor=factor)
        layer = raster(name, entry, str(entry["unit"]), name)
        if layer is not None:
            layer.factor = factor
        return layer

    base_cover = raster("land_cover", doc["land_cover"], "1", "land_cover") if "file" in doc["land_cover"] else None
    years, covers = {}, {}
    for year, entries in (doc["years"] or {}).items():
        year = int(year)
        entries = dict(entries or {})
        own_cover = entries.pop("land_cover", None)
        covers[year] = raster(f"land_cover {year}", own_cover, "1", "land_cover") if own_cover else base_cover
        if covers[year] is None and not own_cover:
            problems.append(Problem(label, None, "land_cover", f"no land-cover file for {year}"))
        years[year] = {name: layer for name, entry in entries.items() if (layer := layer_of(name, entry))}
    reference = next((layer for role, layer in opened if role == "land_cover"), None)
    if reference is None:
        raise GridError(problems or [Problem(label, None, "land_cover", "no land-cover layer could be opened")])
    ref_grid = _grid_of(reference.data)

    regions_entry = doc["regions"]
    region_codes: dict[int, str] = {}
    regions = None
    notes = []
    if str(regions_entry.get("file", "")).lower().endswith((".geojson", ".json")):
        file = (path.parent / str(regions_entry["file"])).resolve()
        if not file.is_file():
            problems.append(Problem(str(regions_entry["file"]), None, "regions", f"file not found (named in {label})"))
        else:
            files.append(file)
            try:
                data, region_codes = _rasterise_polygons(file, str(regions_entry.get("field", "code")),
                                                         reference.data, chunks)
            except (OSError, ValueError, KeyError) as exc:
                raise GridError(problems + [Problem(file.name, None, "regions", str(exc))]) from None
            regions = Layer("regions", "1", file, None, data, as_stored=False)
            notes.append(f"regions: polygons of {file.name} (property '{regions_entry.get('field', 'code')}') "
                         f"rasterised onto the land-cover grid with rasterio.features.rasterize (cell centres)")
    elif "file" in regions_entry:
        regions = raster("regions", regions_entry, "1", "regions")
        region_codes = {int(k): str(v) for k, v in (regions_entry.get("codes") or {}).items()}
    else:
        problems.append(Problem(label, None, "regions", "give a raster of region codes or GeoJSON polygons (file:)"))

    rotated = {id(layer): layer for _, layer in opened if _rotated(_grid_of(layer.data)[1])}
    for file, layer in {layer.file: layer for layer in rotated.values()}.items():  # one problem per file
        t = _grid_of(layer.data)[1]
        problems.append(Problem(file.name, None, layer.name,
                                f"the raster is rotated or sheared (transform a={t.a:g}, b={t.b:g}, d={t.d:g}, "
                                f"e={t.e:g}; b and d must be 0): gep reads north-up rasters whose cells run along x "
                                f"and y, so that a cell is dx × dy — warp it onto a north-up grid first "
                                f"(e.g. gdalwarp)"))
    if id(reference) in rotated:  # nothing else can be compared with it
        raise GridError(problems)
    if ref_grid[0] is None or not ref_grid[0].is_projected or \
            abs(ref_grid[0].linear_units_factor[1] - 1.0) > 1e-12:
        problems.append(Problem(reference.file.name, None, "land_cover",
                                f"CRS {ref_grid[0]} is not projected in metres; cell areas need a projected "
                                f"(preferably equal-area) CRS — reproject the layers first"))
    mismatched = []
    for _role, layer in opened:
        if layer is reference or id(layer) in rotated:
            continue
        differs = _differences(*_grid_of(layer.data), ref_grid)
        if not differs:
            continue
        method = resample.get(layer.name)
        if method is None:
            mismatched.append(f"{layer.label}: " + "; ".join(differs))
            continue
        from rasterio.enums import Resampling
        layer.data = layer.data.rio.reproject_match(reference.data, resampling=Resampling[method])
        if chunks:
            layer.data = layer.data.chunk({"y": chunks, "x": chunks})
        layer.nodata = layer.data.rio.nodata if layer.nodata is None else layer.nodata
        layer.as_stored = False
        notes.append(f"{layer.label} resampled onto the land-cover grid by {method} ({'; '.join(differs)})")
    if mismatched:
        problems.append(Problem(label, None, None, "layers do not share one grid with the land-cover layer "
                                f"{reference.label} [{_describe(*ref_grid)}]:\n    " + "\n    ".join(mismatched)
                                + "\n    (resample only when asked: add e.g. resample: {<layer>: nearest})"))
    if problems:
        raise GridError(problems)
    return Grid(path=path, years=years, land_cover=covers, classes=classes, regions=regions,
                region_codes=region_codes, crs=ref_grid[0], transform=ref_grid[1], shape=ref_grid[2],
                chunks=chunks, source=str(doc.get("source", "")), status=str(doc.get("status", "unverified")),
                notes=notes, files=sorted(set(files)))


def referenced_files(doc: dict) -> list[tuple[dict, str]]:
    """Every ``file:`` entry of a grid description: (the entry, the path as written)."""
    entries = [doc.get("land_cover") or {}, doc.get("regions") or {}]
    for year in (doc.get("years") or {}).values():
        entries += [e for e in (year or {}).values() if isinstance(e, dict)]
    return [(e, str(e["file"])) for e in entries if isinstance(e, dict) and "file" in e]


def _grid_files(path: Path) -> tuple[dict, list[tuple[dict, str]], list[Path]]:
    """A grid description, its ``file:`` entries and the distinct files they name (resolved), each checked to
    exist."""
    doc = grid_document(path)
    refs = referenced_files(doc)
    sources = list(dict.fromkeys((path.parent / written).resolve() for _, written in refs))
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise GridError([Problem(path.name, None, None, f"file not found: {m}") for m in missing])
    return doc, refs, sources


def copy_grid(path: str | Path, dest: Path, unique_names) -> tuple[Path, list[Path]]:
    """Copy a grid description and every file it names into ``dest`` (one flat folder), rewriting the
    ``file:`` entries to the copies' names; returns the copy of the description and all copied files.

    Layers are copied whole, so a run folder stays self-contained and ``gep verify`` can recompute it
    anywhere (a 10⁸-cell float32 layer is 400 MB); :func:`reference_grid` records them in place instead."""
    import shutil

    path = Path(path)
    doc, refs, sources = _grid_files(path)
    names = dict(zip(sources, unique_names(sources)))
    dest.mkdir(parents=True, exist_ok=True)
    copies = []
    for source, name in names.items():
        shutil.copyfile(source, dest / name)
        copies.append(dest / name)
    for entry, written in refs:
        entry["file"] = names[(path.parent / written).resolve()]
    copy = dest / "grid.yaml"
    if copy.exists():
        raise GridError([Problem(path.name, None, None, "a layer file is named grid.yaml; rename it")])
    copy.write_text(yaml_text(doc), encoding="utf-8")
    return copy, copies


def reference_grid(path: str | Path, dest: Path) -> tuple[Path, list[Path]]:
    """Copy only the grid description into ``dest``, its ``file:`` entries rewritten to the layers' absolute
    paths; returns the copy and the layer files, which stay where they are (the run records their SHA-256).

    For national rasters (some 40 GiB per layer at 30 m) a copy in every run folder would double the storage;
    a referenced layer is checked by its hash when the run is verified, where it lies."""
    path = Path(path)
    doc, refs, sources = _grid_files(path)
    for entry, written in refs:
        entry["file"] = str((path.parent / written).resolve())
    dest.mkdir(parents=True, exist_ok=True)
    copy = dest / "grid.yaml"
    copy.write_text(yaml_text(doc), encoding="utf-8")
    return copy, sources
