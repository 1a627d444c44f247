"""gep_parcels.parquet beside gep_parcels.csv, and large inventory tables read by pyarrow.

The inventory is the tiny one of conftest.py with township 990001's 100 hm² of forest split into 240 parcels
(test_parcels.py checks the figures themselves by hand); here the Parquet file is checked against the CSV the
same run writes, and the columnar reader against the reader of small tables (pandas), on the same files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gep import inventory as inventory_module, reading
from gep.audit import verify
from gep.inventory import load_inventory, read_inventory
from gep.jobs.run import run
from gep.outputs import cell_texts

from test_parcels import with_parcels

N = 240


def many_parcels() -> list[dict]:
    """990001's 100 hm² of forest as N parcels of 100/N hm² each (natural and planted in turn), precipitation
    varying from parcel to parcel; two of them named like a formula and with a comma, which the CSV marks
    and quotes."""
    rows = []
    for year in (2020, 2021):
        for i in range(N):
            name = "=A1" if i == 0 else "B,02" if i == 1 else f"XB{i:05d}"
            rows.append({"parcel_id": name, "region_code": "990001", "year": year, "ecosystem": "forest",
                         "origin": "natural" if i % 2 else "planted", "area [hm2]": round(100 / N, 6),
                         "precipitation [mm/a]": 1000 + i})
    return rows


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parquet")
    inventory = with_parcels(tmp, many_parcels())
    return run(inventory, tmp / "one").folder, run(inventory, tmp / "two").folder


def test_the_parquet_file_holds_the_csv_table_value_for_value(two_runs):
    out, _ = two_runs
    text = pd.read_csv(out / "gep_parcels.csv", dtype=str, keep_default_na=False)  # every cell as written
    table = pq.read_table(out / "gep_parcels.parquet").to_pandas()
    assert len(table) == 2 * N
    assert list(table.columns) == list(text.columns)  # the same columns in the same order
    # the same rows in the same order (the CSV's: by parcel and year), each text as its CSV cell stands for
    # (the apostrophe of '=A1 removed), each float the one its CSV text reads back as
    csv_values = cell_texts(text)
    assert list(table["parcel_id"][:3]) == ["=A1", "=A1", "B,02"]
    for column in table.columns:
        if table[column].dtype.kind == "f":
            written = pd.to_numeric(csv_values[column].replace("", np.nan)).to_numpy(dtype=float)
            assert np.array_equal(table[column].to_numpy(), written, equal_nan=True), column
        else:
            assert [str(v) for v in table[column]] == list(csv_values[column]), column
    assert table["natural_area [hm2]"].isna().sum() == N  # the planted half: no natural area


def test_two_runs_write_the_same_parquet_bytes_and_the_manifest_lists_it(two_runs):
    one, two = two_runs
    assert (one / "gep_parcels.parquet").read_bytes() == (two / "gep_parcels.parquet").read_bytes()
    manifest = json.loads((one / "manifest.json").read_text(encoding="utf-8"))
    assert "gep_parcels.parquet" in manifest["outputs"]


def test_verify_finds_a_changed_parquet_value(two_runs, tmp_path):
    out = Path(shutil.copytree(two_runs[1], tmp_path / "run"))  # the module's runs stay as they were for the others
    assert verify(out).ok
    table = pq.read_table(out / "gep_parcels.parquet")
    column = table.column_names.index("water_retained [m3]")
    values = table.column(column).to_numpy().copy()
    recorded = float(values[0])
    values[0] = recorded * 1.001
    pq.write_table(table.set_column(column, "water_retained [m3]", pa.array(values)), out / "gep_parcels.parquet")
    report = verify(out)
    assert not report.ok
    assert any(line.startswith("altered file: gep_parcels.parquet") for line in report.file_problems)
    # the first parcel of 2020 ('=A1'): recorded the changed value, recomputed the original one
    assert ("gep_parcels.parquet =A1/2020", "water_retained [m3]", repr(recorded * 1.001), repr(recorded)) \
        in report.differing
    assert len(report.differing) == 1


# ----------------------------------------------------------------------------------------------
# large tables read by pyarrow: the same tables and the same messages as pandas' reader gives


FAULTY_PARCELS = (
    "parcel_id,region_code,year,ecosystem,origin,area [hm2],precipitation [mm/a]\n"
    "\n"
    "A-01,990001,2020,forest,natural,80,1200\n"
    '"B,02",990001,2020,forest,planted,20,\n'
    "C-03,990001,2020,forest,natural,x,1e3\n"
    "D-04,990001,2020,forest,natural,inf,-0\n"
    "E-05,990001,20x0,forest,natural,5,\n"
    "F-06,990001,2020,forst,natural,-1,nan\n"
)


@pytest.mark.parametrize("parcels", [FAULTY_PARCELS, FAULTY_PARCELS.replace("\n", "\r\n"),
                                     FAULTY_PARCELS + "G-07,990001,2020,forest\n",  # a short row: pandas reads it
                                     "\ufeff" + FAULTY_PARCELS.replace("1200", "1,200")])  # a row too long
def test_large_tables_give_the_problems_and_tables_of_small_ones(tmp_path, monkeypatch, parcels):
    folder = with_parcels(tmp_path, [])
    (folder / "parcels.csv").write_text(parcels, encoding="utf-8")
    small_tables, small_problems = read_inventory(folder)
    monkeypatch.setattr(reading, "COLUMNAR_BYTES", 0)  # every file and column counts as large
    monkeypatch.setattr(inventory_module, "COLUMNAR_CELLS", 0)
    large_tables, large_problems = read_inventory(folder)
    assert [str(p) for p in large_problems] == [str(p) for p in small_problems]
    assert (large_tables is None) == (small_tables is None)
    if parcels is FAULTY_PARCELS:  # by hand: file, row (header row 1, the blank line not counted, as pandas reads it), column
        shown = "\n".join(str(p) for p in small_problems)
        assert "parcels.csv, row 4, column area: 'x' is not a number" in shown
        assert "parcels.csv, row 5, column area: 'inf' is not a finite number" in shown
        assert "parcels.csv, row 6, column year: '20x0' is not a year (1900–2100)" in shown


def test_a_large_table_is_read_by_pyarrow_into_the_frame_pandas_gives(tmp_path, monkeypatch):
    path = tmp_path / "parcels.csv"
    path.write_bytes(("\ufeff" + FAULTY_PARCELS).encode("utf-8"))
    small = reading.read_csv(path)
    monkeypatch.setattr(reading, "COLUMNAR_BYTES", 0)
    monkeypatch.setattr(pd, "read_csv", lambda *a, **k: pytest.fail("pandas' reader used"))
    large = reading.read_csv(path)
    pd.testing.assert_frame_equal(large, small, check_exact=True)
    # by hand: the quoted comma kept in its cell, an empty cell '', the blank line skipped
    assert list(large["parcel_id"]) == ["A-01", "B,02", "C-03", "D-04", "E-05", "F-06"]
    assert large.loc[1, "precipitation [mm/a]"] == ""


TRICKY_NUMBERS = ["1", "-0", "+5", "007", "1.5", "-0.0", ".5", "5.", "1e5", "1E+05", "inf", "-inf", "Infinity",
                  "nan", "-nan", "NULL", "N/A", "", "1,5", "１２", "abc", "1e999", "0x10", "1_0", "2021", "2021.0",
                  "9223372036854775808", "3.141592653589793238", "1e", ".", "+", "-"]


def test_long_columns_are_parsed_to_the_numbers_and_dtype_pandas_gives(monkeypatch):
    """Every pair and a few triples of tricky cells, as whole columns: pyarrow's parse against pandas' own."""
    monkeypatch.setattr(inventory_module, "COLUMNAR_CELLS", 0)
    rng = np.random.default_rng(16)
    columns = [[a, b] for a in TRICKY_NUMBERS for b in TRICKY_NUMBERS]
    columns += [list(rng.choice(TRICKY_NUMBERS, 3)) for _ in range(300)]
    for cells in columns:
        for text in (pd.Series(cells * 3, dtype="str"), pd.Series(cells * 3, dtype="str").replace("", np.nan)):
            expected, parsed = pd.to_numeric(text, errors="coerce"), inventory_module.to_numbers(text)
            pd.testing.assert_series_equal(parsed, expected, check_exact=True)
            # and the sign of every zero and NaN ('-0' as an integer is 0, as a float -0.0)
            assert list(np.signbit(parsed.astype(float))) == list(np.signbit(expected.astype(float))), cells
    # by hand: decimals and integers as written, '1,5' no number
    assert list(inventory_module.to_numbers(pd.Series(["1.5", "1e3", "1,5"], dtype="str"))[:2]) == [1.5, 1000.0]
    assert inventory_module.to_numbers(pd.Series(["2021", "7"], dtype="str")).dtype == np.int64


@pytest.mark.parametrize("order", ["listed by parcel and year", "shuffled"])
def test_the_parcels_table_is_in_key_order_however_it_was_listed(tmp_path, order):
    """A table already in key order (parcel, year) is kept as it is; any other is sorted (stably)."""
    rows = many_parcels()[:6] + many_parcels()[N:N + 6]  # parcels '=A1', 'B,02', XB00002… of 2020, then 2021
    rows = sorted(rows, key=lambda r: (r["parcel_id"], r["year"])) if order != "shuffled" else rows[::-1]
    parcels = load_inventory(with_parcels(tmp_path, rows)).tables["parcels"]
    expected = sorted((r["parcel_id"], r["year"]) for r in rows)  # code-point order: '=' < 'B' < 'X'
    assert list(zip(parcels["parcel_id"], parcels["year"])) == expected
    # each row still names its line in the file: the row of the header is 1, of rows[k] k + 2
    keys = [(r["parcel_id"], r["year"]) for r in rows]
    assert list(parcels["input_row"]) == [keys.index(k) + 2 for k in expected]


def test_a_repeated_parcel_in_a_table_in_key_order_is_named_with_its_first_row(tmp_path):
    """In a table listed in key order a repeat is the row's neighbour: rows 2 and 3 (the header is row 1) both
    hold parcel A-01 of 2020, row 6 repeats row 5 (B-02, 2021)."""
    rows = [{"parcel_id": p, "region_code": "990001", "year": y, "ecosystem": "forest", "origin": "natural",
             "area [hm2]": 10} for p, y in (("A-01", 2020), ("A-01", 2020), ("A-01", 2021), ("B-02", 2021),
                                           ("B-02", 2021))]
    _, problems = read_inventory(with_parcels(tmp_path, rows))
    duplicates = [str(p) for p in problems if "duplicate row" in str(p)]
    assert duplicates == ["parcels.csv, row 3, column parcel_id, year: duplicate row: same parcel_id, year as row 2",
                          "parcels.csv, row 6, column parcel_id, year: duplicate row: same parcel_id, year as row 5"]
