"""Large tables (gep_parcels.csv) are written by pyarrow column by column, in the bytes pandas' writer gives.

Each table is written twice — once with the columnar writer (every table counts as large: COLUMNAR_ROWS = 0),
once with pandas' (no table counts as large) — and the files compared byte for byte; the expected cells of
the first test are written out by hand from Python's float repr and csv quoting rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gep import outputs
from gep.outputs import write_csv


def both_ways(frame: pd.DataFrame, tmp_path, monkeypatch) -> tuple[bytes, bytes]:
    """(columnar bytes, pandas bytes) of ``frame``; the columnar write is checked not to call pandas' writer."""
    columnar, plain = tmp_path / "columnar.csv", tmp_path / "pandas.csv"
    with monkeypatch.context() as m:
        m.setattr(outputs, "COLUMNAR_ROWS", 0)
        m.setattr(pd.DataFrame, "to_csv", lambda *a, **k: pytest.fail("pandas' writer used"))
        write_csv(frame, columnar)
    with monkeypatch.context() as m:
        m.setattr(outputs, "COLUMNAR_ROWS", 10**12)
        write_csv(frame, plain)
    return columnar.read_bytes(), plain.read_bytes()


def test_cells_are_written_as_python_and_its_csv_module_write_them(tmp_path, monkeypatch):
    frame = pd.DataFrame({
        "parcel_id": ["a,b", 'say "x"', "two\nlines", "=SUM(A1)", "中文", None],
        "year": np.array([2021, 2021, 2021, 2021, -5, 0], dtype=np.int64),
        "x [t]": [100.0, 1e-05, 1e10, np.nan, -0.0, 0.1],
        "y": [1234.5678, 0.0001, 1e16, 123456789012345.6, np.inf, 2.5e-7],
    })
    columnar, plain = both_ways(frame, tmp_path, monkeypatch)
    # by hand: floats as repr() writes them (positional from 1e-4 to 1e16, '.0' on whole numbers), NaN and
    # None empty; a text with a comma, a quote or a line feed quoted, its quotes doubled; '=' marked with "'"
    assert columnar.decode("utf-8") == (
        "parcel_id,year,x [t],y\n"
        '"a,b",2021,100.0,1234.5678\n'
        '"say ""x""",2021,1e-05,0.0001\n'
        '"two\nlines",2021,10000000000.0,1e+16\n'
        "'=SUM(A1),2021,,123456789012345.6\n"
        "中文,-5,-0.0,inf\n"
        ",0,0.1,2.5e-07\n")
    assert columnar == plain


def test_random_floats_of_every_magnitude_give_the_bytes_of_pandas(tmp_path, monkeypatch):
    rng = np.random.default_rng(16)
    n = 5000
    magnitudes = 10.0 ** rng.integers(-12, 24, n)
    floats = rng.uniform(-1, 1, n) * magnitudes
    floats[rng.random(n) < 0.1] = np.nan
    whole = np.round(rng.uniform(-1e6, 1e6, n))  # whole numbers: '.0' added
    frame = pd.DataFrame({"id": [f"XB{i:07d}" for i in range(n)], "f": floats, "whole": whole,
                          "area [hm2]": np.round(rng.uniform(0.5, 30, n), 4), "n": rng.integers(-10**15, 10**15, n)})
    # a column equal to one before it shares its texts; zeros of the other sign do not
    frame["f again"], frame["zero"], frame["negative zero"] = floats, 0.0, -0.0
    columnar, plain = both_ways(frame, tmp_path, monkeypatch)
    assert columnar.decode().splitlines()[1].endswith(",0.0,-0.0")
    assert columnar == plain


def test_the_rows_of_many_chunks_are_written_in_order(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "_COLUMNAR_CHUNK", 7)  # 100 rows: 15 chunks on two threads
    frame = pd.DataFrame({"i": np.arange(100, dtype=np.int64), "v": np.arange(100) / 8})
    columnar, plain = both_ways(frame, tmp_path, monkeypatch)
    assert columnar.decode().splitlines()[1:4] == ["0,0.0", "1,0.125", "2,0.25"]  # i, i/8
    assert columnar == plain


def test_text_held_in_several_chunks_is_written_whole(tmp_path, monkeypatch):
    # pandas' string arrays keep the chunks of what they were made of (here two): pyarrow hands them on so
    texts = pd.concat([pd.Series(["a,b", "x"], dtype="str"), pd.Series(["y"], dtype="str")], ignore_index=True)
    columnar, plain = both_ways(pd.DataFrame({"t": texts, "v": [1.0, 2.0, 3.0]}), tmp_path, monkeypatch)
    assert columnar.decode() == 't,v\n"a,b",1.0\nx,2.0\ny,3.0\n'
    assert columnar == plain


def test_tables_the_columnar_writer_cannot_write_are_written_by_pandas(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "COLUMNAR_ROWS", 0)
    mixed = pd.DataFrame({"a": pd.Series(["x", 1.5, None], dtype=object), "b": [True, False, True]})
    write_csv(mixed, tmp_path / "mixed.csv")
    assert (tmp_path / "mixed.csv").read_text(encoding="utf-8") == "a,b\nx,True\n1.5,False\n,True\n"
    carriage = pd.DataFrame({"a": ["one\rtwo"], "n": [1.0]})  # a carriage return: every text quoted
    write_csv(carriage, tmp_path / "carriage.csv")
    assert (tmp_path / "carriage.csv").read_bytes().decode("utf-8") == '"a","n"\n"one\rtwo",1.0\n'


def test_the_trace_is_compressed_text_of_the_same_bytes(tmp_path, monkeypatch):
    # the trace's shape: nullable integers (a spreadsheet row, a price year) with missing cells, floats, texts
    frame = pd.DataFrame({
        "symbol": ["P", "alpha", "V", "C0"],
        "value": [1000.0, 0.0352, 4083353.611, 7.53],
        "row": pd.array([2, None, None, 14], dtype="Int64"),
        "price_year": pd.array([None, None, None, 2011], dtype="Int64"),
        "source": ["conditions.csv", "龚诗涵 et al., 2017", "", "陈召亚, 2016"],
    })
    by_hand = ("symbol,value,row,price_year,source\n"
               "P,1000.0,2,,conditions.csv\n"
               'alpha,0.0352,,,"龚诗涵 et al., 2017"\n'
               "V,4083353.611,,,\n"
               'C0,7.53,14,2011,"陈召亚, 2016"\n')
    import gzip
    with monkeypatch.context() as m:
        m.setattr(outputs, "COLUMNAR_ROWS", 0)
        m.setattr(pd.DataFrame, "to_csv", lambda *a, **k: pytest.fail("pandas' writer used"))
        write_csv(frame, tmp_path / "columnar.csv.gz")
        write_csv(frame, tmp_path / "again.csv.gz")
    write_csv(frame, tmp_path / "pandas.csv.gz")  # 4 rows: pandas' writer
    assert gzip.decompress((tmp_path / "columnar.csv.gz").read_bytes()).decode("utf-8") == by_hand
    assert gzip.decompress((tmp_path / "pandas.csv.gz").read_bytes()).decode("utf-8") == by_hand
    assert (tmp_path / "columnar.csv.gz").read_bytes() == (tmp_path / "again.csv.gz").read_bytes()
    assert (tmp_path / "columnar.csv.gz").read_bytes()[4:8] == b"\0\0\0\0"  # no time in the gzip header
