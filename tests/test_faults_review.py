"""Nothing accepted silently, nothing crashes (issue 13): the faults a review found after the first corpora.

Each case ends in a clean refusal — exit 1 (0 a run, 2 a wrong command line, 70 a fault in gep), no traceback, the
user's own file and where in it, nothing published — or, where a figure is meant, the figure computed by hand.
The tiny inventory (conftest.py) and tiny grid (gridkit.py) are the fixtures; no test computes the Chengkou
accounts. The corpora these extend are test_faults_input.py, test_faults_options.py and test_faults_output.py.
"""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import refused, tiny_tables, write_tables
from gridkit import tiny_layers, write_tiny_grid
from test_trading import _TRADE, _tiny_request
from gep.accounting import NonFiniteFigures, Options, account, check_finite
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.cli import main
from gep.grid.layers import GridError, copy_grid, load_grid
from gep.method import MethodError, load_method
from gep.prices import PriceIndexError, load_price_indices
from gep.trading.request import RequestError, load_request
from gep.trading.valuation import MonitoringError, read_monitoring

_refused = refused  # conftest.refused: exit 1, no traceback, nothing published


# ----------------------------------------------------------------------------------------------
# 1. infinite figures are never published


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the case under test
def test_a_finite_input_whose_product_overflows_is_refused_naming_the_figure_and_input(tmp_path, capsys):
    # 1e308 mm of rain is a finite number, so the reader takes it; water retained = (P − R − ET) × A × 10 m³
    # = ~1e308 × 100 hm² × 10 overflows to inf, and GEP with it. The guard names the figure and, as its
    # largest input, the cell: conditions.csv row 2 is 990001/2020/forest, the first conditions row.
    tables = tiny_tables()
    tables["conditions"][0]["precipitation [mm/a]"] = "1e308"
    inventory = write_tables(tmp_path / "inv", tables)
    out = tmp_path / "out"
    err = _refused(capsys, ["run", inventory, "--out", out],
                   "1 figure(s) of the account are not finite numbers",
                   "990001 2020 water_conservation/water_retained/forest: quantity = inf, value_yuan = inf",
                   "its largest input: conditions.csv, row 2, column precipitation = 1e+308 mm",
                   "infinite, or so large that a product of it overflows", out=out)
    assert err.count("\n  990") == 1  # one figure, not one line per column


def test_a_sum_of_regions_that_overflows_is_named_when_every_leaf_is_finite():
    # two townships of 1e308 元 each: each figure is finite, their county sum is not (1e308 + 1e308 = inf)
    leaf = pd.DataFrame({"region_code": ["990001", "990002"], "year": [2021, 2021], "service": "tourism",
                         "indicator": "recreation", "ecosystem": "all", "quantity": [1.0, 1.0],
                         "value_yuan": [1e308, 1e308], "value_constant_yuan": [1e308, 1e308],
                         "value_prev_prices_yuan": [1e308, 1e308]})
    county = leaf.iloc[:1].assign(region_code="990000", quantity=2.0, value_yuan=np.inf,
                                  value_constant_yuan=np.inf, value_prev_prices_yuan=np.inf)
    summary = pd.DataFrame({"region_code": ["990000"], "year": [2021], "provisioning_yuan": [0.0],
                            "regulating_yuan": [0.0], "cultural_yuan": [np.inf], "gep_yuan": [np.inf],
                            "gep_per_km2_yuan": [np.inf]})
    with pytest.raises(NonFiniteFigures, match=r"990000 2021 tourism/recreation/all: value_yuan = inf"):
        check_finite(leaf, pd.concat([county, leaf]), summary)
    # and the summary alone (a GEP per km² over a land area of 1e-310 km²) is named as the summary
    with pytest.raises(NonFiniteFigures, match=r"990000 2021 GEP summary: cultural_yuan = inf, gep_yuan = inf"):
        check_finite(leaf.iloc[:0], leaf.iloc[:0], summary)
    check_finite(leaf, leaf, summary.iloc[:0])  # finite figures pass


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the case under test
def test_an_infinite_raster_cell_is_refused_naming_the_layer(tmp_path, capsys):
    # one inf cell of precipitation: without the check the kernel gives inf − inf = NaN, taken as a cell without
    # data, and a transpiration layer inf would publish GEP = inf
    layers = tiny_layers()
    layers["precipitation"][0, 0] = np.inf
    layers["evapotranspiration"][3, 4] = -np.inf
    grid = write_tiny_grid(tmp_path / "grid", years=(2020,), layers=layers)
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    out = tmp_path / "out"
    _refused(capsys, ["run", inventory, "--grid", grid, "--out", out],
             "grid.yaml, column years.2020.precipitation: precipitation (precipitation.tif): 1 cell(s) are infinite",
             "years.2020.evapotranspiration: evapotranspiration (evapotranspiration.tif): 1 cell(s) are infinite",
             out=out)


def test_an_infinite_constant_layer_is_refused_where_the_grid_is_read(tmp_path):
    grid = write_tiny_grid(tmp_path, years=(2020,))
    doc = yaml.safe_load(grid.read_text(encoding="utf-8"))
    doc["years"][2020]["cooling_days"]["value"] = float("inf")  # written .inf
    grid.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(GridError, match=r"grid\.yaml, column years\.2020\.cooling_days\.value: inf is not a finite"):
        load_grid(grid)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the case under test
def test_a_compensation_amount_whose_yearly_sum_overflows_is_refused_before_anything_is_written(tmp_path, capsys):
    # 1.7e304 万元 = 1.7e308 元 a month is finite (the largest float is 1.797e308), so --amount takes it; two
    # improved months (II against III last year: the downstream district pays) add up to 3.4e308 = inf, which
    # was written into water_yearly.csv with exit 0. The third month fails its class (IV > III): upstream pays.
    monitoring = tmp_path / "monitoring.csv"
    monitoring.write_text("断面,上游,下游,年份,月份,目标类别,水质类别,上年同期类别\n"
                          "A,甲,乙,2021,1,III,II,III\nA,甲,乙,2021,2,III,II,III\nA,甲,乙,2021,3,III,IV,III\n",
                          encoding="utf-8")
    out = tmp_path / "out"
    _refused(capsys, ["compensation", monitoring, "--amount", "1.7e304 万元/month", "--out", out],
             "2 figure(s) of the valuation of", "are not finite numbers",
             "water_compensation.yearly[0].downstream_to_upstream_yuan = inf",
             "water_compensation.yearly[0].net_to_upstream_yuan = inf", out=out)
    # one month of it is finite and is valued: 1.7e308 元 paid downstream → upstream
    one = tmp_path / "one.csv"
    one.write_text("\n".join(monitoring.read_text(encoding="utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    assert main(["compensation", str(one), "--amount", "1.7e304 万元/month", "--out", str(tmp_path / "o1")]) == 0
    yearly = pd.read_csv(tmp_path / "o1" / "water_yearly.csv")
    assert yearly["net_to_upstream_yuan"].tolist() == [pytest.approx(1.7e308)]


# ----------------------------------------------------------------------------------------------
# 2. the shape of grid.yaml


def _grid_with(tmp_path, edit) -> Path:
    grid = write_tiny_grid(tmp_path, years=(2020,))
    grid.write_text(edit(grid.read_text(encoding="utf-8")), encoding="utf-8")
    return grid


@pytest.mark.parametrize("edit, said", [
    # each ended in AttributeError or ValueError (exit 70): the document was used before its shape was known
    (lambda t: "- a\n", "grid.yaml: a grid description is a mapping of keys (land_cover, regions, years, …), "
                        "not list ['a']"),
    (lambda t: t.replace("chunks: 8", "chunks: abc"), "column chunks: 'abc' is not a block size: a whole number "
                                                      "of cells from 1 to 65536"),
    # PyYAML reads 1e400 (no dot) as text, 1.0e+400 as inf: neither is a block size
    (lambda t: t.replace("chunks: 8", "chunks: 1e400"), "column chunks: '1e400' is not a block size"),
    (lambda t: t.replace("chunks: 8", "chunks: 1.0e+400"), "column chunks: 'inf' is not a block size"),
    (lambda t: t.replace("    1: forest", "    a: forest"), "column land_cover.classes.a: 'a' is not a land-cover "
                                                          "class (a whole number of the raster)"),
    (lambda t: t.replace("  2020:", "  abc:"), "column years.abc: 'abc' is not a year 1900–2100"),
    (lambda t: t.replace("value: 60", "value: abc"), "column years.2020.cooling_days.value: 'abc' is not of type "
                                                     "'number'"),
    (lambda t: t.replace("file: npp.tif", "variable: npp"), "column years.2020.npp: give file: (a raster) or "
                                                            "value: (a constant)"),
    # an unknown key was ignored: a misspelt 'resample' silently left the layers unresampled
    (lambda t: t + "resampel: {npp: bilinear}\n", "column resampel: unknown key; known: source, status, chunks, "
                                                  "land_cover, regions, resample, years"),
    (lambda t: t.replace("      unit: d", "      unit: d\n      colour: red"), "column years.2020.cooling_days.colour: unknown key"),
])
def test_a_grid_description_of_the_wrong_shape_is_refused_naming_the_key(tmp_path, edit, said):
    grid = _grid_with(tmp_path, edit)
    with pytest.raises(GridError) as err:
        load_grid(grid)
    assert said in str(err.value)
    # the run copies the grid before it loads it: the copy refuses the same document the same way
    with pytest.raises(GridError) as err:
        copy_grid(grid, tmp_path / "copy", lambda sources: [s.name for s in sources])
    assert said in str(err.value)


def test_a_grid_of_the_wrong_shape_is_exit_1_from_the_command_line(tmp_path, capsys):
    grid = _grid_with(tmp_path / "grid", lambda t: "- a\n")
    inventory = write_tables(tmp_path / "inv", tiny_tables())
    out = tmp_path / "out"
    _refused(capsys, ["run", inventory, "--grid", grid, "--out", out], "grid.yaml: a grid description is a mapping",
             out=out)


# ----------------------------------------------------------------------------------------------
# 3. gep explain on a damaged run folder


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("explain")
    out = base / "run"
    assert main(["run", str(write_tables(base / "tiny", tiny_tables())), "--out", str(out)]) == 0
    return out


EXPLAIN = ["--region", "990001", "--year", "2021", "--service", "water_conservation", "--indicator",
           "water_retained", "--ecosystem", "forest"]


@pytest.mark.parametrize("name, damage, said", [
    # random bytes: a UnicodeDecodeError (exit 70) before
    ("gep_trace.csv.gz", gzip.compress(b"\xff\xfe\x00\x81\x9c" * 40),
     "gep_trace.csv.gz: not UTF-8 text as gep writes it (byte 0"),
    # the trace is gzip-compressed: a file that is not, or is cut short, is named as such
    ("gep_trace.csv.gz", b"region_code,year\n", "gep_trace.csv.gz: not a gzip file as gep writes it (Not a gzipped file"),
    ("gep_trace.csv.gz", gzip.compress(b"region_code,year\n" * 100)[:40],
     "gep_trace.csv.gz: not a gzip file as gep writes it (Compressed file ended before the end-of-stream marker"),
    # a table without the columns explanations read: "None of [Index(['region_code', 'parent_code'])] are in the
    # [columns]", naming no file
    ("gep_summary.csv", b"a,b\n1,2\n", "gep_summary.csv: no column region_code, parent_code, year (columns: a, b)"),
    ("gep_services.csv", b"", "gep_services.csv: not a table: No columns to parse from file"),
    ("gep_trace.csv.gz", gzip.compress(b'region_code,"year\n1'), "gep_trace.csv.gz: not a table:"),
])
def test_explain_names_the_damaged_file_of_a_run_folder(tmp_path, tiny_run, capsys, name, damage, said):
    run = shutil.copytree(tiny_run, tmp_path / "run")
    (run / name).write_bytes(damage)
    _refused(capsys, ["explain", run, *EXPLAIN], f"gep: {run} is not a readable gep run folder: {said}")


def test_explain_names_a_cell_that_is_no_number(tmp_path, tiny_run, capsys):
    run = shutil.copytree(tiny_run, tmp_path / "run")
    trace = gzip.decompress((run / "gep_trace.csv.gz").read_bytes()).decode("utf-8").splitlines()
    header = trace[0].split(",")
    row = trace[1].split(",")  # the file's row 2
    row[header.index("year")] = "twenty"
    edited = "\n".join([trace[0], ",".join(row), *trace[2:]]) + "\n"
    (run / "gep_trace.csv.gz").write_bytes(gzip.compress(edited.encode("utf-8")))
    _refused(capsys, ["explain", run, *EXPLAIN], "gep_trace.csv.gz: row 2, column year: 'twenty' is not a number")


def test_explain_of_an_intact_run_folder_still_explains(tiny_run, capsys):
    # the tables read through the checks give the figure test_grid.py computes for the same cells: 464 800 m³
    assert main(["explain", str(tiny_run), *EXPLAIN, "--lang", "en"]) == 0
    assert "Quantity: 464,800 m³" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------------
# 4. problem lists are capped


def test_a_monitoring_table_of_12000_bad_rows_is_reported_in_a_screenful(tmp_path):
    # every row has three problems (year 0, month 13, class VII): 36 000 lines before; now the first 30 (as an
    # inventory file's), then the count of the rest — 36 000 − 30 = 35 970
    path = tmp_path / "monitoring.csv"
    path.write_text("断面,上游,下游,年份,月份,目标类别,水质类别,上年同期类别\n"
                    + "".join(f"S{i},甲,乙,0,13,III,VII,III\n" for i in range(12_000)), encoding="utf-8")
    with pytest.raises(MonitoringError) as err:
        read_monitoring(path)
    lines = str(err.value).splitlines()
    assert lines[0] == "36000 problem(s) in the monitoring table:"
    assert len(lines) == 1 + 30 + 1 and lines[-1] == "  … and 35970 more problem(s) in this table"
    assert len(err.value.problems) == 36_000  # all of them kept for a caller that wants them


def test_a_price_index_table_of_200_bad_rows_is_reported_in_a_screenful(tmp_path):
    # 200 values of 1000 (not an index with previous year = 100): 50 listed, as a register's, then 150 more
    path = tmp_path / "indices.csv"
    path.write_text("index,year,value,source,status\n"
                    + "".join(f"cpi,{1900 + i},1000,test,verified\n" for i in range(200)), encoding="utf-8")
    with pytest.raises(PriceIndexError) as err:
        load_price_indices(path)
    lines = str(err.value).splitlines()
    assert lines[0] == "200 price index problem(s):"
    assert lines[1] == "  indices.csv, row 2, column value: 1000.0 is not an index with previous year = 100"
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "  … and 150 more"


# ----------------------------------------------------------------------------------------------
# 5. long values are cut where a message quotes them

X = "x" * 100_000


@pytest.mark.parametrize("change, said", [
    # the unit as written, quoted by the unit parser, was echoed whole (100 000 characters), after pint had spent
    # a minute and more looking for prefixes and suffixes of it
    (("area: 150 亩", f"area: 1 {X}"), "key trade.area: unknown unit 'xxxx"),
    (("area: 150 亩", f"area: {X}"), "key trade.area: 'xxxx"),
    (("discount_rate: 8 %}", f"discount_rate: 8 %, instalments: '{X}'}}"), "key trade.instalments: expected a whole "
                                                                           "number (a number of instalments), not 'xxx"),
    (("discount_rate: 8 %}", f"discount_rate: 8 %, instalment_shares: [{', '.join(['0.001'] * 5000)}]}}"),
     "key trade.instalment_shares: [0.001, 0.001"),
])
def test_a_request_value_of_100000_characters_is_cut_in_the_message(tmp_path, change, said):
    with pytest.raises(RequestError) as err:
        load_request(_tiny_request(tmp_path, _TRADE.replace(*change)))
    text = str(err.value)
    assert said in text and " characters)" in text
    assert len(text) < 400, len(text)  # the file, the key, 60 characters of the value, what to write


def test_a_request_message_keeps_what_to_write_after_a_long_unit(tmp_path):
    with pytest.raises(RequestError) as err:
        load_request(_tiny_request(tmp_path, _TRADE.replace("area: 150 亩", f"area: 1 {X}")))
    assert str(err.value).endswith("; expected e.g. '1.5 万亩'")


def _profile(tmp_path, body: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nzh: 我的\nen: Mine\n" + body, encoding="utf-8")
    return path


def test_a_profile_extending_a_file_that_is_no_profile_is_refused_without_reading_it(tmp_path):
    # extends: ../../../etc/passwd loaded that file and printed its contents in the error
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the contents of another file\n", encoding="utf-8")
    path = _profile(tmp_path, f"extends: {secret}\n")
    with pytest.raises(MethodError) as err:
        load_method(path)
    assert f"extends: '{secret}' is neither a profile name (e.g. default) nor a profile file (.yaml)" in str(err.value)
    assert "root:x" not in str(err.value)


def test_a_method_file_that_is_no_mapping_is_refused_without_quoting_it(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the contents of another file\n", encoding="utf-8")
    with pytest.raises(MethodError) as err:
        load_method(secret)
    assert "not a method profile: a profile is a mapping of keys" in str(err.value) and "root:x" not in str(err.value)


@pytest.mark.parametrize("body, said", [
    # jsonschema's message quotes the value (a status), or lists an unexpected key, whole
    ("extends: default\nchoices: {climate_regulation.water_surface_divisor: {option: none, status: " + "y" * 500
     + ", source: s}}\n", "choices.climate_regulation.water_surface_divisor.status: 'yyy"),
    ("extends: default\n" + "z" * 500 + ": 1\n", "(top): Additional properties are not allowed ('zzz"),
    # and the catalogue check quoted an option whole
    ("extends: default\nchoices: {climate_regulation.water_surface_divisor: {option: " + "y" * 500
     + ", status: seen, source: s}}\n", "option 'yyy"),
])
def test_a_500_character_profile_value_is_cut(tmp_path, body, said):
    with pytest.raises(MethodError) as err:
        load_method(_profile(tmp_path, body))
    assert said in str(err.value) and " characters)" in str(err.value)
    assert len(str(err.value)) < 400, len(str(err.value))


def test_a_profile_may_still_extend_a_name_or_a_yaml_file(tmp_path):
    assert load_method(_profile(tmp_path, "extends: garze-2017\n")).name == "mine"
    parent = tmp_path / "parent.yaml"
    parent.write_text("name: parent\nzh: 父\nen: Parent\nextends: default\n", encoding="utf-8")
    assert load_method(_profile(tmp_path, f"extends: {parent}\n")).files[1] == parent


# ----------------------------------------------------------------------------------------------
# 6. a price-index problem names the user's table, not the run's copy of it


def test_a_missing_price_index_names_the_users_table_given_as_shown(tmp_path):
    # a table of CPI only: the default register prices with other indices too (fai, ppi …), which it lacks.
    # A run passes its copy, inputs/price_indices.csv; the message named that copy, which the user never wrote
    user = tmp_path / "my.csv"
    user.write_text("index,year,value,source,status\n" + "".join(f"cpi,{y},102,test,derived\n"
                                                                  for y in range(1990, 2022)), encoding="utf-8")
    copy = tmp_path / "run" / "inputs" / "price_indices.csv"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(user.read_bytes())
    inventory = load_inventory(write_tables(tmp_path / "inv", tiny_tables()))
    with pytest.raises(PriceIndexError) as err:
        account(inventory, load_register(), Options(price_indices=str(copy), price_indices_shown=str(user)))
    assert f"; {user} has cpi" in str(err.value) and "price_indices.csv" not in str(err.value)
    # without a name to show, the table's own file name, as before
    with pytest.raises(PriceIndexError, match="; price_indices.csv has cpi"):
        account(inventory, load_register(), Options(price_indices=str(copy)))


def test_explain_reads_a_run_folder_of_an_earlier_gep(tmp_path, tiny_run, capsys):
    # runs written before the trace was compressed hold gep_trace.csv: explain reads that one
    run = shutil.copytree(tiny_run, tmp_path / "run")
    (run / "gep_trace.csv").write_bytes(gzip.decompress((run / "gep_trace.csv.gz").read_bytes()))
    (run / "gep_trace.csv.gz").unlink()
    assert main(["explain", str(run), *EXPLAIN, "--lang", "en"]) == 0
    assert "Quantity: 464,800 m³" in capsys.readouterr().out  # as test_explain_of_an_intact_run_folder_still_explains
