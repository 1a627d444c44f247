"""Every figure's trace reproduces the engine: its expressions, evaluated from its own inputs and
coefficients, give the engine's quantity and value (the same expressions become Excel formulas)."""
import pandas as pd
import pytest

from gep.accounting import account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.trace import FIGURE_KEY, check_trace, evaluate, symbols_of, to_excel

from conftest import CHENGKOU, tiny_tables, write_tables


def test_expression_language():
    # MAX(1000 − 35.2 − 500, 0) × 100 hm² × 10 m³/(mm·hm²) = 464 800 m³
    assert evaluate("MAX(P-R-ET,0)*A*10", {"P": 1000, "R": 35.2, "ET": 500, "A": 100}) == pytest.approx(464_800)
    assert evaluate("EXP(a)*(A/100)^b", {"a": 0.0, "A": 100, "b": 2}) == 1.0
    assert symbols_of("MAX(P-R-ET,0)*A*10") == ["P", "R", "ET", "A"]
    assert to_excel("Q*C_res", {"Q": "F2", "C_res": "系数!$D$5"}) == "F2*系数!$D$5"
    with pytest.raises(ValueError):
        evaluate("__import__('os')", {})


def _leaf_values(results):
    s = results.services
    leaves = s[s["region_level"] == "township"].set_index(["region_code", "year", "service", "indicator",
                                                            "ecosystem"])
    return leaves


@pytest.mark.parametrize("inventory", ["tiny", "chengkou"])
def test_every_trace_reproduces_its_figure(inventory, tmp_path):
    folder = write_tables(tmp_path / "tiny", tiny_tables()) if inventory == "tiny" else CHENGKOU
    results = account(load_inventory(folder), load_register())
    assert check_trace(results.trace) == []
    trace = results.trace
    # figure by figure, in the order of their keys (the trace file, the formula workbook and the trace pages list
    # them so); within a figure in the order its symbols were recorded, which check_trace above relies on
    in_order = trace.sort_values(FIGURE_KEY, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(trace, in_order)
    leaves = _leaf_values(results)
    finals = trace[trace["role"].isin(["step", "input"])]
    values = finals[finals["symbol"] == "V"].set_index(["region_code", "year", "service", "indicator",
                                                         "ecosystem"])["value"]
    priced = leaves[leaves["price"].notna()]
    # every valued leaf figure has a V step equal to its value
    joined = priced[["value_yuan"]].join(values.rename("traced"), how="left")
    assert joined["traced"].notna().all(), joined[joined["traced"].isna()].head()
    pd.testing.assert_series_equal(joined["traced"], joined["value_yuan"], check_names=False, rtol=1e-12)


def test_trace_names_the_input_cells(tiny):
    results = account(load_inventory(tiny), load_register())
    t = results.trace
    fig = t[(t.region_code == "990001") & (t.year == 2020) & (t.service == "water_conservation")
            & (t.ecosystem == "forest")].set_index("symbol")
    assert fig.loc["P", "file"] == "conditions.csv" and fig.loc["P", "value"] == 1000
    assert fig.loc["A", "file"] == "extent.csv" and fig.loc["A", "table"] == "extent"
    assert fig.loc["alpha", "role"] == "coefficient" and fig.loc["alpha", "coefficient"] == "runoff_coefficient[forest]"
    assert fig.loc["C_res0", "register"] == "default.csv" and fig.loc["C_res0", "value"] == 7.53
    assert fig.loc["F_C_res", "coefficient"] == "fai[2011→2020]" and fig.loc["F_C_res", "register"] == "price_indices.csv"
    assert fig.loc["C_res", "expr"] == "C_res0*F_C_res"
    assert fig.loc["Q", "expr"] == "MAX(P-R-ET,0)*A*10" and fig.loc["Q", "value"] == pytest.approx(464_800)


def test_a_wrong_input_in_a_trace_is_caught(tiny):
    results = account(load_inventory(tiny), load_register())
    t = results.trace.copy()
    hit = (t.region_code == "990001") & (t.year == 2020) & (t.service == "water_conservation") \
        & (t.ecosystem == "forest") & (t.symbol == "P")
    t.loc[hit, "value"] = 1001.0
    problems = check_trace(t)
    assert any("990001/2020/water_conservation/water_retained/forest: R = P*alpha" in p for p in problems)
