"""Nothing accepted silently, nothing crashes (issue 13): command-line options refused where they are parsed,
files in other encodings read, messages naming the user's own files. Every error of a trade request and of a
monitoring table, named with its file and key (or row and column), is tested in test_trade_errors.py.

The requests are the tiny county's (conftest.py: 990000, land 600 hm², forest 400 hm², 2020–2021), built by
the helpers of test_trading.py; no test here computes the Chengkou accounts.
"""
from __future__ import annotations

import json

import pytest

from gep.assets.monetary import annuity_factor
from gep.cli import build_parser, main
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.reading import ReadError
from gep.trading.request import load_request
from gep.trading.valuation import TRADING_REGISTER, value_request

from conftest import tiny_tables, write_register, write_tables
from test_trading import _TRADE, _monitoring, _tiny_request


def _refused(capsys, argv, *expected, code=2):
    """Run ``gep ARGV``; it must end with ``code`` (2: argparse refused an option), print no traceback and
    say each of ``expected`` on stderr."""
    assert main([str(a) for a in argv]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, err
    return err


# ----------------------------------------------------------------------------------------------
# options, refused where they are parsed (argparse: exit code 2, "argument --X: …")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "-0.01", "1", "2.77", "abc", ""])
def test_statement_discount_rate_is_a_fraction_from_0_up_to_1(tmp_path, capsys, value):
    # nan gave an asset value of 0, 2.77 (a percentage written as a number) a statement at 277 %
    _refused(capsys, ["statement", tmp_path, "--from", "2020", "--to", "2021", "--out", tmp_path / "s",
                      f"--discount-rate={value}"],  # '=': argparse takes '-inf' alone for an option
             f"argument --discount-rate: '{value}' is not a discount rate from 0 up to, not including, 1",
             "0.0277 for 2.77 %")
    assert not (tmp_path / "s").exists()


def test_a_zero_discount_rate_is_accepted_and_means_no_discounting():
    # annuity factor F = [1 − (1 + r)^−N] / r has the limit F = N at r = 0: 100 years of undiscounted flows
    assert annuity_factor(0.0, 100) == pytest.approx(100.0)
    args = build_parser().parse_args(["statement", "inv", "--from", "2020", "--to", "2021", "--out", "s",
                                      "--discount-rate", "0", "--asset-life", "0.5"])
    assert (args.discount_rate, args.asset_life) == (0.0, 0.5)


@pytest.mark.parametrize("value", ["0", "-5", "inf", "nan", "x"])
def test_statement_asset_life_is_finite_and_above_0(tmp_path, capsys, value):
    # 0 made every asset worth 0 silently; inf ended in an unbalanced account
    _refused(capsys, ["statement", tmp_path, "--from", "2020", "--to", "2021", "--out", tmp_path / "s",
                      f"--asset-life={value}"], f"argument --asset-life: '{value}' is not an asset life in years above 0")


@pytest.mark.parametrize("value, expected", [
    ("-100 万元/month", "'-100 万元/month' must be 0 or more (not negative)"),
    ("nan 万元/month", "'nan 万元/month' is not a number followed by its unit"),
    ("1e999 万元/month", "'1e999 万元/month' is not a finite number"),
    ("100", "'100' is not a number followed by its unit"),
    ("100 万元", "'100 万元' is not [currency]/[time]"),
])
def test_compensation_amount_is_a_finite_non_negative_amount_per_time(tmp_path, capsys, value, expected):
    monitoring = _monitoring(tmp_path, [["A", "甲", "乙", 2021, 1, "III", "II", "III"]])
    _refused(capsys, ["compensation", monitoring, "--out", tmp_path / "w", f"--amount={value}"],
             f"argument --amount: {expected}")


@pytest.mark.parametrize("argv, option", [
    (["run", "inv", "--out", "o", "--base-year", "0"], "--base-year"),
    (["run", "inv", "--out", "o", "--base-year", "1899"], "--base-year"),
    (["run", "inv", "--out", "o", "--base-year", "2101"], "--base-year"),
    (["run", "inv", "--out", "o", "--base-year", "2021.5"], "--base-year"),
    (["statement", "inv", "--from", "0", "--to", "2021", "--out", "o"], "--from"),
    (["statement", "inv", "--from", "2020", "--to", "99999", "--out", "o"], "--to"),
    (["explain", "run", "--year", "0"], "--year"),
])
def test_years_are_1900_to_2100(capsys, argv, option):
    # --base-year 0 ran the accounts "at 0 prices" without a word
    value = argv[argv.index(option) + 1]
    _refused(capsys, argv, f"argument {option}: '{value}' is not a year from 1900 to 2100")


@pytest.mark.parametrize("argv, expected", [
    (["verify", "run", "--limit", "-1"], "argument --limit: '-1' is not a whole number of 0 or more (0 = all)"),
    (["verify", "run", "--limit", "x"], "argument --limit: 'x' is not a whole number of 0 or more"),
    (["diff", "a", "b", "--top", "0"], "argument --top: '0' is not a whole number of 1 or more"),
    (["diff", "a", "b", "--top", "-3"], "argument --top: '-3' is not a whole number of 1 or more"),
])
def test_counts_are_whole_numbers_in_range(capsys, argv, expected):
    # --top -3 listed all but the last 3 figures of each change; --limit -1 meant "all" by accident
    _refused(capsys, argv, expected)


def test_limit_0_still_means_all():
    assert build_parser().parse_args(["verify", "run", "--limit", "0"]).limit == 0


@pytest.mark.parametrize("argv, expected", [
    (["run", "inv", "--out", ""], "argument --out: '' is not an output folder"),
    (["run", "inv", "--out", "."], "argument --out: '.' is not an output folder"),
    (["trade", "r.yaml", "--out", "x/.."], "argument --out: 'x/..' is not an output folder"),
    (["run", "", "--out", "o"], "argument inventory: an empty path"),
    (["run", "inv", "--out", "o", "--method", ""], "argument --method: an empty method profile"),
    (["run", "inv", "--out", "o", "--grid", " "], "argument --grid: an empty path"),
    (["run", "inv", "--out", "o", "--coefficients", ""], "argument --coefficients: an empty path"),
    (["statement", "inv", "--from", "2020", "--to", "2021", "--out", "o", "--region", ""],
     "argument --region: an empty region code"),
    (["explain", "run", "--parcel", ""], "argument --parcel: an empty parcel ID"),
    (["pack", "run", "--to", ""], "argument --to: '' is not a file name"),
    (["diff", "a", "b", "--csv", ""], "argument --csv: '' is not a file name"),
])
def test_empty_values_are_refused_not_taken_as_the_default(capsys, argv, expected):
    # --out '' ended in a traceback; --region '' and --method '' silently meant the default
    _refused(capsys, argv, expected)


def test_an_unknown_statement_region_is_named_with_the_inventory_codes(tmp_path, capsys, monkeypatch):
    inventory = write_tables(tmp_path / "tiny", tiny_tables())

    def no_accounts(*args, **kwargs):
        raise AssertionError("the accounts were computed for a region that is not in the inventory")
    # it ended in KeyError: '123' after the accounts (15 s on a county); now refused before them
    monkeypatch.setattr("gep.jobs.run.account", no_accounts)
    _refused(capsys, ["statement", inventory, "--from", "2020", "--to", "2021", "--out", tmp_path / "s",
                      "--region", "123"],
             "gep: region '123' is not in the inventory's regions table; its region codes: 990000 示例县, "
             "990001 甲镇, 990002 乙乡", code=1)
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("argv", [
    ["run", "{missing}", "--out", "{out}"],
    ["statement", "{missing}", "--from", "2020", "--to", "2021", "--out", "{out}"],
    ["coefficients", "--coefficients", "{missing}"],
    ["pack", "{missing}"],
    ["verify", "{missing}"],
    ["diff", "{missing}", "{missing}"],
    ["explain", "{missing}", "--parcel", "1"],
    ["pdf", "{missing}"],
    ["trade", "{missing}", "--out", "{out}"],
    ["compensation", "{missing}", "--out", "{out}"],
])
def test_a_missing_file_is_named_without_a_traceback(tmp_path, capsys, argv):
    missing = "no-such-input"
    argv = [a.format(missing=tmp_path / missing, out=tmp_path / "out") for a in argv]
    _refused(capsys, argv, missing, code=1)
    assert not (tmp_path / "out").exists()


def test_validate_names_a_missing_inventory(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "no-such-input")]) == 1
    assert "no-such-input: not found" in capsys.readouterr().out


def test_a_read_error_anywhere_is_a_clean_error(monkeypatch, capsys):
    # gep.reading.ReadError is what every reader raises now: main() reports it like the other input errors
    def unreadable(path):
        raise ReadError(path, "cannot be read as text in utf-8 or gb18030", row=3)
    monkeypatch.setattr("gep.cli.read_inventory", unreadable)
    _refused(capsys, ["validate", "inv.csv"], "gep: inv.csv, row 3: cannot be read as text", code=1)


# ----------------------------------------------------------------------------------------------
# trade and compensation files: other encodings, and the files messages name (each error of a request and
# of a monitoring table: test_trade_errors.py)


def test_a_binary_monitoring_table_is_named(tmp_path, capsys):
    path = tmp_path / "monitoring.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    _refused(capsys, ["compensation", path, "--out", tmp_path / "w"], "monitoring.csv: not a text file", code=1)


def test_a_gbk_monitoring_table_gives_the_same_result(tmp_path, capsys):
    # as Excel on Chinese Windows saves "CSV (逗号分隔)": it failed with 'utf-8' codec can't decode, unnamed.
    # One section-month, meets class III and improved on last year (II < III): 乙 (downstream) pays 甲 100万元
    rows = [["A", "甲", "乙", 2021, 1, "III", "II", "III"]]
    utf8 = _monitoring(tmp_path, rows)
    (tmp_path / "gbk").mkdir()
    gbk = tmp_path / "gbk" / "monitoring.csv"  # the same name: the title and the command show it
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    assert gbk.read_bytes() != utf8.read_bytes()
    for name, path in (("out-utf8", utf8), ("out-gbk", gbk)):
        assert main(["compensation", str(path), "--out", str(tmp_path / name)]) == 0
    capsys.readouterr()
    a, b = (json.loads((tmp_path / n / "valuation.json").read_text(encoding="utf-8")) for n in ("out-utf8", "out-gbk"))
    assert a["water_compensation"]["yearly"][0]["net_to_upstream_yuan"] == pytest.approx(1e6)
    assert a == b
    for name in ("water_monthly.csv", "water_yearly.csv", "valuation.html"):
        assert (tmp_path / "out-utf8" / name).read_bytes() == (tmp_path / "out-gbk" / name).read_bytes(), name


def test_a_gbk_request_gives_the_same_valuation(tmp_path):
    utf8 = _tiny_request(tmp_path, _TRADE)
    gbk = tmp_path / "request-gbk.yaml"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    register = load_register(TRADING_REGISTER)
    a, b = (load_request(p) for p in (utf8, gbk))
    inventory = load_inventory(a.inventory)
    va, vb = (value_request(r, register, inventory, None).result for r in (a, b))
    # 150 亩 × 2500 元/亩 = 375 000 元; the seller 示例县 (GBK-encoded name) read back the same
    assert va["trade"]["total_price_yuan"] == pytest.approx(375_000) and vb["trade"]["seller"]["name"] == "示例县"
    va.pop("request"), vb.pop("request")
    assert va == vb


def test_trade_and_compensation_messages_name_the_users_own_file(tmp_path, capsys, monkeypatch):
    # the monitoring table is read from its copy in the output's staging folder (.out.partial-XXXX/inputs/):
    # the message must name the file the user can open, as the request names it
    (tmp_path / "data").mkdir()
    _monitoring(tmp_path / "data", [["A", "甲", "乙", 2021, 13, "III", "II", "III"]])
    request = _tiny_request(tmp_path, "water_compensation: {monitoring: data/monitoring.csv}\n")
    monkeypatch.chdir(tmp_path)
    err = _refused(capsys, ["trade", "request.yaml", "--out", "out"],
                   "gep: 1 problem(s) in the monitoring table:\n  data/monitoring.csv, row 2, column month: "
                   "'13' is not a month 1–12", code=1)
    assert ".partial-" not in err and "inputs" not in err
    # gep compensation names it as given on the command line, not resolved to an absolute path
    err = _refused(capsys, ["compensation", "data/monitoring.csv", "--out", "water"],
                   "\n  data/monitoring.csv, row 2, column month", code=1)
    assert str(tmp_path) not in err
    assert request.is_file() and not (tmp_path / "out").exists() and not (tmp_path / "water").exists()


def test_a_trade_names_the_users_inventory_and_register_not_their_copies(tmp_path, capsys):
    # both are read from their copies under the staging folder's inputs/
    request = _tiny_request(tmp_path, _TRADE)
    (tmp_path / "tiny" / "regions.csv").unlink()
    err = _refused(capsys, ["trade", request, "--out", tmp_path / "out"],
                   f"{tmp_path / 'tiny'}: required table 'regions'", code=1)
    assert ".partial-" not in err
    write_tables(tmp_path / "tiny", {"regions": tiny_tables()["regions"]})
    register = write_register(tmp_path / "terms.csv", ("forest_indicator_price", "abc", "元/亩", 2021, "", "", "",
                                                       "test"))
    err = _refused(capsys, ["trade", request, "--out", tmp_path / "out", "--coefficients", register],
                   f"{register}, row 2, column value: 'abc' is not a finite number", code=1)
    assert ".partial-" not in err
