"""gep explain and the trace pages: every figure is traced to its inputs, coefficients and formula."""
from __future__ import annotations


import pytest

from gep.cli import main
from gep.explain import explain_text
from gep.trace import figure_anchor, summary_anchor

from conftest import HtmlAnchors




@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    from conftest import tiny_tables, write_tables
    base = tmp_path_factory.mktemp("explain")
    inventory = write_tables(base / "tiny", tiny_tables())
    out = base / "run"
    assert main(["run", str(inventory), "--out", str(out)]) == 0
    return out


def test_explain_a_township_figure_shows_inputs_coefficients_and_steps(tiny_run):
    text = explain_text(tiny_run, "990001", 2020, "water_conservation", "water_retained", "forest")
    # the hand computation of tests/test_accounting.py, line by line
    assert "P 降水量 = 1,000 mm" in text and "conditions.csv 行 2" in text
    assert "A 面积 = 100 hm²" in text and "extent.csv" in text
    assert "alpha 地表径流系数 = 0.0352" in text and "runoff_coefficient[forest] @ default.csv" in text
    assert "龚诗涵" in text and "case-study" in text
    assert "C_res0 水库单位库容造价 = 7.53 元/m³" in text and "价格年份 2011" in text
    # carried 2011 → 2020 by the FAI index (tests/test_accounting.py spells the factors out)
    factor = 1.011 * 1.003 * 1.005 * 0.982 * 0.994 * 1.058 * 1.054 * 1.026 * 1.0251
    assert f"F_C_res 价格指数调整系数 固定资产投资价格指数 = {factor:.6g}" in text and "fai[2011→2020]" in text
    assert f"C_res 核算年价格 = C_res0*F_C_res = {7.53 * factor:.6g} 元/m³" in text
    assert "R 地表径流深 = P*alpha = 35.2 mm" in text
    assert "Q 实物量 = MAX(P-R-ET,0)*A*10 = 464,800 m³" in text
    assert f"V 价值量 = Q*C_res = {464_800 * 7.53 * factor:,.2f} 元" in text


def test_explain_a_county_figure_lists_its_townships(tiny_run):
    text = explain_text(tiny_run, "990000", 2020, "water_conservation", "water_retained", "forest", detail=True)
    assert "由下级区域相加 (2)" in text
    factor = 1.011 * 1.003 * 1.005 * 0.982 * 0.994 * 1.058 * 1.054 * 1.026 * 1.0251  # FAI 2011 → 2020
    assert f"甲镇 990001: {464_800 * 7.53 * factor:,.2f} 元" in text
    assert "乙乡 990002" in text and "A 面积 = 300 hm²" in text  # --all explains each township


def test_explain_in_english_and_unknown_figure(tiny_run, capsys):
    assert main(["explain", str(tiny_run), "--region", "990001", "--year", "2020", "--service",
                 "carbon_sequestration", "--indicator", "co2_fixed", "--ecosystem", "forest", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Inputs:" in out and "NEP*3.6666666666666665" in out and "Q quantity = NEP*" in out
    assert main(["explain", str(tiny_run), "--region", "990001", "--year", "2020", "--service",
                 "carbon_sequestration", "--indicator", "nope", "--ecosystem", "forest"]) == 1
    assert "no figure" in capsys.readouterr().err


def test_every_report_link_reaches_a_trace_section(tiny_run):
    report = HtmlAnchors()
    report.feed((tiny_run / "gep_report.html").read_text(encoding="utf-8"))
    links = [h for h in report.hrefs if h.startswith("trace/")]
    assert len(links) > 20
    pages = {}
    for href in links:
        page, anchor = href.split("#")
        if page not in pages:
            parser = HtmlAnchors()
            parser.feed((tiny_run / page).read_text(encoding="utf-8"))
            pages[page] = parser.ids
        assert anchor in pages[page], href
    assert figure_anchor("990000", 2020, "water_conservation", "water_retained", "forest") in pages["trace/2020.html"]
    assert summary_anchor("990000", 2021) in pages["trace/2021.html"]
