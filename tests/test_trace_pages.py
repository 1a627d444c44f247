"""The trace pages (gep.render.trace_page): every figure's inputs, coefficients and steps, with what figures
share — a service's method, a formula's symbols and expressions, a source — written once per page."""
from __future__ import annotations

import re

import pytest

from gep.accounting import Options, account
from gep.coefficients import load_register
from gep.inventory import load_inventory
from gep.render.trace_page import write_trace_html
from gep.trace import figure_anchor

from conftest import HtmlAnchors


class _Page(HtmlAnchors):
    """Ids, links, and the cells (text and link) of every table row that has an id."""

    def __init__(self):
        super().__init__()
        self.rows = {}
        self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and self._cell is not None:
            self._cell["href"] = attrs["href"]
        if tag == "tr" and "id" in attrs:
            self._row = self.rows[attrs["id"]] = []
        if tag == "td" and self._row is not None:
            self._cell = {"text": "", "href": None}
            self._row.append(self._cell)

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from conftest import tiny_tables, write_tables
    base = tmp_path_factory.mktemp("trace-pages")
    tables = tiny_tables()
    for row in tables["conditions"]:  # one source for every conditions row: the pages name it once
        row["source"] = "示例县气象局 2021 年报"
    results = account(load_inventory(write_tables(base / "tiny", tables)), load_register(), Options())
    written = write_trace_html(base / "trace", results.services, results.summary, results.trace, "示例县",
                               method=results.method)
    out = {}
    for path in written:
        parser = _Page()
        text = path.read_text(encoding="utf-8")
        parser.feed(text)
        out[path.stem] = (text, parser)
    return out


def test_one_page_per_year_and_every_link_on_it_resolves(pages):
    assert sorted(pages) == ["2020", "2021"]  # the tiny inventory's years (tests/conftest.py)
    for _text, page in pages.values():
        local = [h[1:] for h in page.hrefs if h.startswith("#")]
        assert len(local) > 50
        assert not [h for h in local if h not in page.ids]


def _table_of(text: str, anchor: str) -> str:
    """The HTML of the table that holds the row with id ``anchor``."""
    start = text[:text.index(f'id="{anchor}"')].rindex('<table class="f"')
    return text[start:text.index("</table>", start)]


def test_a_township_figure_is_one_row_of_its_symbols(pages):
    text, page = pages["2020"]
    anchor = figure_anchor("990001", 2020, "water_conservation", "water_retained", "forest")
    row = page.rows[anchor]
    # 甲镇 2020 forest water retention (tests/test_accounting.py): P 1000 mm, α 3.52 % (register, forest), ET
    # 500 mm, A 100 hm²; R = P·α = 35.2 mm; Q = (1000 − 35.2 − 500) mm × 100 hm² × 10 = 464 800 m³; the
    # reservoir cost 7.53 元/m³ (2011 prices) carried to 2020 by the FAI factor F; C = 7.53 F; V = Q·C
    texts = [c["text"] for c in row]
    assert texts[:2] == ["甲镇 990001", "森林"]
    assert texts[2:8] == ["1,000", "0.0352", "500", "100", "35.2", "464,800"]
    # inputs link to their inventory cell, coefficients to their register row; steps link nowhere
    links = [c["href"] or "" for c in row[2:]]
    assert [h[:2] for h in links] == ["#c", "#k", "#c", "#c", "", "", ""]
    assert links[0] == links[2]  # P and ET are one row of conditions.csv (row 2)
    cell = page.rows[links[0][1:]]
    assert [c["text"] for c in cell[:2]] == ["conditions.csv", "2"]
    # the reservoir cost, its price factor and the cost at 2020 prices are the same in every row of the table:
    # written once, in its caption, the register rows linked
    table = _table_of(text, anchor)
    shared = re.search(r'C_res0 = <a href="#(k\d+)">7.53</a> 元/m³；F_C_res = <a href="#(k\d+)">([0-9.]+)</a>；'
                       r"C_res = ([0-9.]+) 元/m³</caption>", table)
    assert shared, table[:600]
    factor, cost = float(shared[3]), float(shared[4])
    assert cost == pytest.approx(7.53 * factor, rel=1e-5)  # shown to 6 significant digits
    assert float(texts[8].replace(",", "")) == pytest.approx(464_800 * cost, rel=1e-5)
    assert len(row) == 9  # region, ecosystem, P, α, ET, A, R, Q, V: the shared three are not repeated
    # 甲镇's grassland row follows under the same region cell (rowspan): it starts with its ecosystem
    grass = page.rows[figure_anchor("990001", 2020, "water_conservation", "water_retained", "grassland")]
    assert grass[0]["text"] == "草地" and len(grass) == 8


def test_a_county_figure_links_the_township_figures_it_adds(pages):
    text, page = pages["2020"]
    row = page.rows[figure_anchor("990000", 2020, "water_conservation", "water_retained", "forest")]
    # county forest = 甲镇 (100 hm²) + 乙乡 (300 hm²): 0.4648 m × 4 000 000 m² = 1 859 200 m³
    assert row[3]["text"] == "1,859,200 m³"
    assert row[4]["text"].startswith("2 个下级区域之和：表 ")
    table = text[text.index(f'id="{row[4]["href"][1:]}"'):]
    table = table[:table.index("</table>")]
    for region in ("990001", "990002"):
        assert f'id="{figure_anchor(region, 2020, "water_conservation", "water_retained", "forest")}"' in table


def test_what_figures_share_is_written_once(pages):
    text, page = pages["2020"]
    # the water-retention formula of gep/data/services.yaml heads its service once, not once per figure
    assert text.count("方法：") == text.count("<h2>") - 2  # one per service section; the last two list cells, coefficients
    # the forest runoff coefficient's source is written once: in the coefficient list
    assert text.count("doi:10.5846/stxb201512012406") == 1
    # the conditions rows' one source is written once, and each of the rows used links to it
    assert text.count("示例县气象局 2021 年报") == 1
    cells = [r for r in page.rows.values() if r[0]["text"] == "conditions.csv"]
    assert len(cells) == 4  # 2020: 甲镇 forest and grassland, 乙乡 forest and grassland (tests/conftest.py)
    assert {c[2]["href"] for c in cells} == {"#src-1"}
    # the township figures retained by the runoff-coefficient formula (甲镇 forest and grassland, 乙乡 forest)
    # are rows of one table, whose caption states the formula once
    assert text.count("R = P*alpha; Q = MAX(P-R-ET,0)*A*10") == 1
    table = _table_of(text, figure_anchor("990001", 2020, "water_conservation", "water_retained", "forest"))
    assert "R = P*alpha; Q = MAX(P-R-ET,0)*A*10" in table
    for region, ecosystem in (("990001", "grassland"), ("990002", "forest")):
        assert f'id="{figure_anchor(region, 2020, "water_conservation", "water_retained", ecosystem)}"' in table


def test_english_pages_use_english_words_and_punctuation(tmp_path):
    from conftest import tiny_tables, write_tables
    results = account(load_inventory(write_tables(tmp_path / "tiny", tiny_tables())), load_register(), Options())
    (page,) = [p for p in write_trace_html(tmp_path / "trace", results.services, results.summary, results.trace,
                                           "Example county", lang="en", method=results.method) if p.stem == "2020"]
    text = page.read_text(encoding="utf-8")
    assert "; Formula: <span class=\"expr\">R = P*alpha; Q = MAX(P-R-ET,0)*A*10" in text
    assert "<br>Same in every row: C_res0 = " in text
    assert ">sum of 2 sub-regions: <a href=\"#t" in text
    assert not any(mark in text for mark in ("各行相同的值", "下级区域之和", "计算路径", "万元"))
    assert re.search(r"<p>GEP [\d,.]+ 10⁴ yuan = Provisioning [\d,.]+ \+ Regulating [\d,.]+ \+ Cultural", text)
