"""Excel and HTML reports (gep.render), on small hand-made tables — no accounting engine involved.

The account: county 500229000 with two townships, years 2020 and 2021. Township A's 2020 rows are
listed in ``_BASE``; township B is half of A, and 2021 is 1.5 × 2020. County rows are the sums of
the township rows. Township names carry a formula (``=1+1``) and markup (``<script>``) on purpose.
"""
from __future__ import annotations

import math
import zipfile
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from gep.render import prepare
from gep.render.charts import bar_chart_svg, line_chart_svg, nice_ticks
from gep.render.excel import write_excel
from gep.render.html import render_html, templates_dir, write_html

COUNTY, TOWN_A, TOWN_B = "500229000", "500229101", "500229102"
NAMES = {COUNTY: "城口县", TOWN_A: "=1+1", TOWN_B: "<script>alert(1)</script>"}
AREAS_KM2 = {COUNTY: 140.0, TOWN_A: 100.0, TOWN_B: 40.0}
SCALE_TOWN = {TOWN_A: 1.0, TOWN_B: 0.5}
SCALE_YEAR = {2020: 1.0, 2021: 1.5}
EVIL_NOTE = '=HYPERLINK("http://evil.example","click")'

# category, service, indicator, ecosystem, quantity, unit, price, price_unit, value_yuan, in_gep, path, note
_BASE = [
    ("provisioning", "water_supply", "domestic", "all", 1_000_000, "m3", 2.0, "yuan/m3", 2_000_000, True, "computed", ""),
    ("provisioning", "agriculture_products", "水稻", "farmland", 100, "t", 3000.0, "yuan/t", 300_000, True, "supplied_quantity", ""),
    ("provisioning", "agriculture_products", "茶叶", "garden", 500_000, "yuan", math.nan, "", 500_000, True, "output_value", ""),
    ("regulating", "water_conservation", "water_retained", "forest", 1_000_000_000, "m3", 6.11, "yuan/m3", 6_110_000_000, True, "computed", ""),
    ("regulating", "water_conservation", "water_retained", "wetland_reservoir", 2_000_000, "m3", 6.11, "yuan/m3", 12_220_000, True, "computed", ""),
    ("regulating", "soil_retention", "soil_retained", "forest", 50_000, "t", math.nan, "", math.nan, False, "computed",
     "physical total; valued through its three components"),
    ("cultural", "recreation", "visits", "all", 20_000, "visit", 200.0, "yuan/visit", 4_000_000, True, "computed", ""),
    ("cultural", "landscape", "benefiting_floor_area", "urban", 10_000, "m2", 100.0, "yuan/m2", 1_000_000, False, "computed",
     EVIL_NOTE),
]
# Township A, 2020, in GEP: 2,000,000 + 300,000 + 500,000 + 6,110,000,000 + 12,220,000 + 4,000,000
#   = 6,129,020,000 元 (provisioning 2,800,000; regulating 6,122,220,000; cultural 4,000,000).
# County = A + B = 1.5 × A: 2020 → 9,193,530,000 元 = 919,353.00 万元 = 91.94 亿元;
#                           2021 → 1.5 × that = 13,790,295,000 元 = 1,379,029.50 万元 = 137.90 亿元.
COUNTY_GEP_WAN = {2020: 919_353.00, 2021: 1_379_029.50}


def _township_rows() -> list[dict]:
    rows = []
    for code in (TOWN_A, TOWN_B):
        for year in (2020, 2021):
            k = SCALE_TOWN[code] * SCALE_YEAR[year]
            for (cat, svc, ind, eco, q, qu, p, pu, v, in_gep, path, note) in _BASE:
                rows.append(dict(region_code=code, region_name=NAMES[code], region_level="township", year=year,
                                 category=cat, service=svc, indicator=ind, ecosystem=eco, quantity=q * k,
                                 quantity_unit=qu, price=p, price_unit=pu, value_yuan=v * k, in_gep=in_gep,
                                 path=path, coefficients="water_price_domestic" if svc == "water_supply" else "",
                                 note=note))
    return rows


def build_tables():
    """(services, summary, coefficients, meta) of the hand-made account."""
    towns = pd.DataFrame(_township_rows())
    keys = ["year", "category", "service", "indicator", "ecosystem", "quantity_unit", "price", "price_unit",
            "in_gep", "path", "coefficients", "note"]
    county = (towns.groupby(keys, dropna=False, sort=False)
              .agg(quantity=("quantity", "sum"), value_yuan=("value_yuan", lambda s: s.sum(min_count=1)))
              .reset_index()
              .assign(region_code=COUNTY, region_name=NAMES[COUNTY], region_level="county"))
    services = pd.concat([county, towns], ignore_index=True)[list(towns.columns)]

    summary_rows = []
    for code, parent, level in ((COUNTY, "", "county"), (TOWN_A, COUNTY, "township"), (TOWN_B, COUNTY, "township")):
        for year in (2020, 2021):
            part = services[(services.region_code == code) & (services.year == year) & services.in_gep]
            cats = {c: float(part.loc[part.category == c, "value_yuan"].sum())
                    for c in ("provisioning", "regulating", "cultural")}
            gep = sum(cats.values())
            summary_rows.append(dict(region_code=code, region_name=NAMES[code], region_level=level,
                                     parent_code=parent, year=year, provisioning_yuan=cats["provisioning"],
                                     regulating_yuan=cats["regulating"], cultural_yuan=cats["cultural"],
                                     gep_yuan=gep, land_area_km2=AREAS_KM2[code],
                                     gep_per_km2_yuan=gep / AREAS_KM2[code]))
    summary = pd.DataFrame(summary_rows)

    coefficients = pd.DataFrame([
        dict(key="water_price_domestic", ecosystem="", region=COUNTY, value=2.0, unit="yuan/m3", price_year=2020,
             source="城口县水利局", clause="", status="verified", note=""),
        dict(key="reservoir_unit_cost", ecosystem="", region="", value=6.11, unit="yuan/m3", price_year=2010,
             source="GARZE2017", clause="eq.(3)", status="case-study", note=""),
        dict(key="carbon_price", ecosystem="", region="", value=50.0, unit="yuan/t_CO2", price_year=math.nan,
             source="-recalled", clause="", status="unverified", note="@to be checked"),
    ])
    meta = dict(title="城口县生态系统生产总值（GEP）核算报告", inventory="inventories/chengkou",
                gep_version="0.1.0", format_version="1.0", command="gep account inventories/chengkou",
                years=[2020, 2021], county_code=COUNTY,
                excluded=[dict(service="landscape", indicator="benefiting_floor_area", reason="not in the county plan")],
                notes=["茶叶 output value supplied directly", EVIL_NOTE])
    return services, summary, coefficients, meta


@pytest.fixture(scope="module")
def tables():
    return build_tables()


@pytest.fixture(scope="module")
def workbook(tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "gep.xlsx"
    write_excel(path, *tables)
    return path, openpyxl.load_workbook(path)


def _find_row(ws, column: int, value: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == value:
            return row
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")


# ------------------------------------------------------------------------------------------------
# Excel
# ------------------------------------------------------------------------------------------------

def test_workbook_has_the_sheets(workbook):
    _, wb = workbook
    assert wb.sheetnames == ["说明", "汇总", "实物量表", "价值量表", "生态系统价值", "乡镇", "系数表"]


def test_value_account_total_equals_hand_sum(workbook):
    _, wb = workbook
    ws = wb["价值量表"]
    header = _find_row(ws, 1, "类别")
    years = {ws.cell(row=header, column=c).value: c for c in range(1, ws.max_column + 1)}
    total = _find_row(ws, 1, "GEP合计")
    for year, expected in COUNTY_GEP_WAN.items():
        cell = ws.cell(row=total, column=years[str(year)])
        assert cell.data_type == "n"
        assert cell.value == pytest.approx(expected)
    # the regulating subtotal: (6,110,000,000 + 12,220,000) × 1.5 / 10^4 万元 in 2020
    regulating = next(r for r in range(header, total) if ws.cell(row=r, column=1).value == "调节服务"
                      and ws.cell(row=r, column=2).value == "小计")
    assert ws.cell(row=regulating, column=years["2020"]).value == pytest.approx(918_333.0)
    # the excluded landscape row comes after the total, marked, with its reason
    landscape = _find_row(ws, 2, "景观价值")
    assert landscape > total
    assert ws.cell(row=landscape, column=years["2020"]).value == pytest.approx(150.0)
    assert ws.cell(row=landscape, column=ws.max_column).value.startswith("[未计入]")


def test_numbers_are_numeric_cells(workbook):
    _, wb = workbook
    ws = wb["汇总"]
    row = _find_row(ws, 1, COUNTY)
    assert ws.cell(row=row, column=5).value == 2020 and ws.cell(row=row, column=5).data_type == "n"
    gep = ws.cell(row=row, column=9)
    assert gep.data_type == "n" and gep.value == pytest.approx(COUNTY_GEP_WAN[2020])
    assert gep.number_format == "#,##0.00"
    assert ws.cell(row=row, column=11).value == pytest.approx(COUNTY_GEP_WAN[2020] / 140.0)
    physical = wb["实物量表"]
    rice = _find_row(physical, 3, "水稻")
    assert physical.cell(row=rice, column=6).value == pytest.approx(150.0)  # 100 t × (1 + 0.5)
    assert physical.cell(row=rice, column=6).data_type == "n"


def test_physical_account_leaves_out_value_only_rows(workbook):
    _, wb = workbook
    ws = wb["实物量表"]
    indicators = {ws.cell(row=r, column=3).value for r in range(1, ws.max_row + 1)}
    assert "水稻" in indicators and "土壤保持量" in indicators
    assert "茶叶" not in indicators


def test_formula_injection_stays_text(workbook):
    path, wb = workbook
    town = wb["乡镇"]
    cell = town.cell(row=_find_row(town, 3, "=1+1"), column=3)
    assert cell.data_type == "s" and cell.value == "=1+1"
    notes = wb["说明"]
    cell = notes.cell(row=_find_row(notes, 2, EVIL_NOTE), column=2)
    assert cell.data_type == "s"
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for c in line:
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_township_sheet_ranks(workbook):
    _, wb = workbook
    ws = wb["乡镇"]
    header = _find_row(ws, 1, "年份")
    rows = [[ws.cell(row=r, column=c).value for c in range(1, 12)] for r in range(header + 1, ws.max_row + 1)]
    assert [(r[0], r[1], r[9], r[10]) for r in rows] == [
        (2020, TOWN_A, 1, 2), (2020, TOWN_B, 2, 1),  # B: half the GEP on 40 % of the area
        (2021, TOWN_A, 1, 2), (2021, TOWN_B, 2, 1)]


def test_unverified_coefficients_are_highlighted(workbook):
    _, wb = workbook
    ws = wb["系数表"]
    row = _find_row(ws, 1, "carbon_price")
    assert ws.cell(row=row, column=9).value == "未核实"
    assert ws.cell(row=row, column=1).fill.fgColor.rgb.endswith("FDE9D9")
    assert ws.cell(row=row, column=7).data_type == "s"  # "-recalled" stays text
    assert ws.cell(row=row, column=4).data_type == "n"


def test_workbook_is_deterministic(tables, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_excel(first, *tables)
    write_excel(second, *tables)
    assert first.read_bytes() == second.read_bytes()
    assert openpyxl.load_workbook(first).properties.created.year == 2000


def test_english_workbook(tables, tmp_path):
    path = write_excel(tmp_path / "en.xlsx", *tables, lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "About" and "Value accounts" in wb.sheetnames
    ws = wb["Value accounts"]
    assert _find_row(ws, 2, "Water conservation")


# ------------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------------

class _Page(HTMLParser):
    """Collects the title, township rows and svg count, and checks that tags nest properly."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "col", "area", "base", "wbr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.title, self.in_title = "", False
        self.svgs, self.township_rows, self.lang = 0, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "svg":
            self.svgs += 1
        if tag == "tr" and attrs.get("class") == "township":
            self.township_rows += 1
        self.in_title = tag == "title" and not self.stack[-1:] == ["svg"] and "svg" not in self.stack
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()
        self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert not page.errors, page.errors[:5]
    assert not page.stack, page.stack
    return page


@pytest.fixture(scope="module")
def html_zh(tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "gep.html"
    write_html(path, *tables)
    return path.read_text(encoding="utf-8")


def test_html_is_well_formed(html_zh, tables):
    page = _parse(html_zh)
    assert page.lang == "zh-CN"
    assert page.title == tables[3]["title"]
    assert page.township_rows == 4  # 2 townships × 2 years
    assert page.svgs >= 4
    assert '<meta charset="utf-8">' in html_zh


def test_html_headline_and_units(html_zh):
    assert "91.94 亿元" in html_zh and "137.90 亿元" in html_zh
    assert "1,379,029.50" in html_zh  # county GEP 2021 in 万元 in the value account
    assert "价值量单位：万元（汇总为亿元）" in html_zh
    assert "99.9%" in html_zh  # regulating share 6,122,220,000 / 6,129,020,000


def test_html_escapes_inventory_text(html_zh):
    assert "<script>alert(1)</script>" not in html_zh
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_zh
    assert "<script" not in html_zh.lower()


def test_html_is_self_contained(html_zh):
    lowered = html_zh.lower()
    assert "<link" not in lowered and " src=" not in lowered and "@import" not in lowered
    assert "noto sans cjk sc" in lowered and "@page" in lowered


def test_html_marks_unverified_and_excluded(html_zh):
    assert 'class="unverified"' in html_zh and "⚠ 未核实" in html_zh
    assert "not in the county plan" in html_zh
    assert 'class="excluded"' in html_zh


def test_html_english(tables):
    html = render_html(*tables, lang="en")
    page = _parse(html)
    assert page.lang == "en"
    assert "Water conservation" in html and "GEP by township" in html
    assert "91.94 10⁸ yuan" in html


def test_html_is_deterministic(tables):
    assert render_html(*tables) == render_html(*tables)


def test_templates_dir_override(monkeypatch, tmp_path):
    assert (templates_dir() / "report.html.j2").is_file()
    monkeypatch.setenv("GEP_TEMPLATES", str(tmp_path))
    assert templates_dir() == tmp_path


def test_prepare_rejects_unknown_language(tables):
    with pytest.raises(ValueError):
        prepare(*tables, lang="fr")


# ------------------------------------------------------------------------------------------------
# charts
# ------------------------------------------------------------------------------------------------

def test_bar_chart_escapes_labels():
    svg = bar_chart_svg(["森林", "<b>&'\""], [1234.5, None], "万元", "<title>")
    assert "<b>" not in svg and "&lt;b&gt;&amp;&#39;&quot;" in svg
    assert "1,234.50" in svg and svg.startswith("<svg") and svg.endswith("</svg>")
    _parse(svg)


def test_line_chart_single_year_and_gaps():
    svg = line_chart_svg([2020], {"GEP": [1.5]}, "亿元", "GEP")
    assert "1.50" in svg
    svg = line_chart_svg([2019, 2020, 2021], {"GEP": [1.0, None, 3.0], "<x>": [0.5, 0.6, 0.7]}, "亿元", "t")
    assert "&lt;x&gt;" in svg and "<x>" not in svg
    _parse(svg)


def test_nice_ticks_cover_range():
    ticks = nice_ticks(0, 9_193.53)
    assert ticks[0] == 0 and ticks[-1] >= 9_193.53 and len(ticks) <= 8


# ------------------------------------------------------------------------------------------------
# comparable prices, township evaluation, change decomposition, price indices (tables in meta)
# ------------------------------------------------------------------------------------------------

NAN = math.nan


def comparable_meta() -> dict:
    """The four comparable-price tables and the base year, built by hand for the account above.

    Growth (county): GEP at constant 2021 prices 100 亿元 in 2020 → 103 亿元 in 2021, so real growth
    103 / 100 − 1 = 3.00 %; chain index 100 → 103.50 (chain growth 3.50 %); deflator = current /
    constant × 100 = 9,193,530,000 / 10,000,000,000 × 100 = 91.94 in 2020 and
    13,790,295,000 / 10,300,000,000 × 100 = 133.89 in 2021; 2021 carries a method break.
    """
    growth = pd.DataFrame([
        dict(region_code=COUNTY, region_name=NAMES[COUNTY], region_level="county", year=2020,
             gep_current_yuan=9_193_530_000.0, gep_constant_yuan=10_000_000_000.0, base_year=2021, real_growth=NAN,
             chain_index=100.0, chain_growth=NAN, deflator=91.9353, method_break=False, break_note=""),
        dict(region_code=COUNTY, region_name=NAMES[COUNTY], region_level="county", year=2021,
             gep_current_yuan=13_790_295_000.0, gep_constant_yuan=10_300_000_000.0, base_year=2021, real_growth=0.03,
             chain_index=103.5, chain_growth=0.035, deflator=13_790_295_000 / 10_300_000_000 * 100,
             method_break=True, break_note="agriculture_products/茶叶: supplied_quantity→output_value"),
        dict(region_code=TOWN_A, region_name=NAMES[TOWN_A], region_level="township", year=2021,
             gep_current_yuan=9_193_530_000.0, gep_constant_yuan=7_000_000_000.0, base_year=2021, real_growth=0.025,
             chain_index=102.5, chain_growth=0.025, deflator=131.34, method_break=False, break_note=""),
    ])
    # Township A 2021: GEP 1.5 × 6,129,020,000 = 9,193,530,000 元 = 919,353.00 万元; per km² (100 km²)
    # 9,193.53 万元; per capita (10,000 people) 91.94 万元; GEP/GDP = 9,193,530,000 / 2,000,000,000 = 4.60.
    # Township B has no population or GDP: "—".
    evaluation = pd.DataFrame([
        dict(region_code=TOWN_A, region_name=NAMES[TOWN_A], region_level="township", parent_code=COUNTY, year=2021,
             gep_yuan=9_193_530_000.0, gep_per_km2_yuan=91_935_300.0, population=10_000, gep_per_capita_yuan=919_353.0,
             gdp_yuan=2_000_000_000.0, gep_gdp_ratio=4.596765, real_growth=0.025, forest_coverage_pct=60.0,
             forest_coverage_change_pp=0.5, wetland_area_hm2=20.0, wetland_area_change_hm2=-1.25, rank_gep=1,
             rank_growth=2),
        dict(region_code=TOWN_B, region_name=NAMES[TOWN_B], region_level="township", parent_code=COUNTY, year=2021,
             gep_yuan=4_596_765_000.0, gep_per_km2_yuan=114_919_125.0, population=NAN, gep_per_capita_yuan=NAN,
             gdp_yuan=NAN, gep_gdp_ratio=NAN, real_growth=0.04, forest_coverage_pct=75.0,
             forest_coverage_change_pp=0.0, wetland_area_hm2=NAN, wetland_area_change_hm2=NAN, rank_gep=2,
             rank_growth=1),
        dict(region_code=TOWN_A, region_name=NAMES[TOWN_A], region_level="township", parent_code=COUNTY, year=2020,
             gep_yuan=6_129_020_000.0, gep_per_km2_yuan=61_290_200.0, population=10_000, gep_per_capita_yuan=612_902.0,
             gdp_yuan=NAN, gep_gdp_ratio=NAN, real_growth=NAN, forest_coverage_pct=59.5,
             forest_coverage_change_pp=NAN, wetland_area_hm2=21.25, wetland_area_change_hm2=NAN, rank_gep=1,
             rank_growth=NAN),
        dict(region_code=TOWN_B, region_name=NAMES[TOWN_B], region_level="township", parent_code=COUNTY, year=2020,
             gep_yuan=3_064_510_000.0, gep_per_km2_yuan=76_612_750.0, population=NAN, gep_per_capita_yuan=NAN,
             gdp_yuan=NAN, gep_gdp_ratio=NAN, real_growth=NAN, forest_coverage_pct=75.0,
             forest_coverage_change_pp=NAN, wetland_area_hm2=NAN, wetland_area_change_hm2=NAN, rank_gep=2,
             rank_growth=NAN),
    ])

    def change(code, service, category, prev, quantity, price):
        return dict(region_code=code, year=2021, category=category, service=service, value_prev_yuan=prev,
                    value_yuan=prev + quantity + price, change_yuan=quantity + price,
                    quantity_effect_yuan=quantity, price_effect_yuan=price)

    # County 2021: water conservation 9,183,330,000 → +3,000,000,000 quantity +1,591,665,000 price;
    # recreation 6,000,000 → +2,000,000 quantity +1,000,000 price. Totals (万元): previous 918,933.00,
    # this year 1,378,399.50, change +459,466.50 = quantity +300,200.00 + price +159,266.50.
    # Township A: quantity effects recreation −300.00, water conservation +100.00, water supply +50.00,
    # agriculture +10.00 万元 → the top three by size are recreation, water conservation, water supply.
    # Township B: nothing moved → no driver.
    decomposition = pd.DataFrame([
        change(COUNTY, "water_conservation", "regulating", 9_183_330_000.0, 3_000_000_000.0, 1_591_665_000.0),
        change(COUNTY, "recreation", "cultural", 6_000_000.0, 2_000_000.0, 1_000_000.0),
        change(TOWN_A, "water_conservation", "regulating", 6_122_220_000.0, 1_000_000.0, 0.0),
        change(TOWN_A, "recreation", "cultural", 4_000_000.0, -3_000_000.0, 0.0),
        change(TOWN_A, "water_supply", "provisioning", 2_000_000.0, 500_000.0, 0.0),
        change(TOWN_A, "agriculture_products", "provisioning", 800_000.0, 100_000.0, 0.0),
        change(TOWN_B, "water_conservation", "regulating", 3_061_110_000.0, 0.0, 0.0),
    ])
    price_indices = pd.DataFrame([
        dict(index="cpi", year=2021, value=100.9, source="国家统计局 2021 统计公报", status="verified"),
        dict(index="fai", year=2021, value=104.4, source="=recalled", status="unverified"),
    ])
    return dict(base_year=2021, growth=growth, evaluation=evaluation, decomposition=decomposition,
                price_indices=price_indices)


def build_comparable_tables():
    services, summary, coefficients, meta = build_tables()
    return services, summary, coefficients, {**meta, **comparable_meta()}


@pytest.fixture(scope="module")
def tables_cp():
    return build_comparable_tables()


@pytest.fixture(scope="module")
def html_cp(tables_cp):
    return render_html(*tables_cp)


@pytest.fixture(scope="module")
def workbook_cp(tables_cp, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx_cp") / "gep.xlsx"
    write_excel(path, *tables_cp)
    return path, openpyxl.load_workbook(path)


class _Tables(HTMLParser):
    """Text of each cell of each table with an id: {id: [[cell, ...], ...]} (header rows included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
            self.current.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "table":
            self.current, self.row = None, None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _row(table: list[list[str]], first: str) -> list[str]:
    return next(r for r in table if r and r[0] == first)


def test_html_without_comparable_tables_is_unchanged(html_zh, tables):
    # old callers pass no growth/evaluation/decomposition/price_indices: none of the new sections
    for marker in ('id="comparable"', 'id="evaluation"', 'id="decomposition"', 'id="price-indices"', "可比价与增长"):
        assert marker not in html_zh
    assert prepare(*tables).growth is None


def test_html_growth_table(html_cp):
    page = _parse(html_cp)
    assert page.township_rows == 4  # the existing township table is untouched
    growth = _tables(html_cp)["growth-table"]
    assert growth[0][:4] == ["年份", "GEP（现价）", "GEP（2021年可比价）", "实际增长率"]
    # 2020: current 91.94 亿元, constant 100.00 亿元, no growth in the first year, index 100, deflator 91.94
    assert _row(growth, "2020")[:7] == ["2020", "91.94", "100.00", "—", "100.00", "—", "91.94"]
    # 2021: constant 100 → 103 亿元 is 3.00 % real growth; chain 103.50 (3.50 %); deflator 133.89; break
    row = _row(growth, "2021")
    assert row[:7] == ["2021", "137.90", "103.00", "3.00%", "103.50", "3.50%", "133.89"]
    assert row[7].startswith("⚠ 方法变更") and "supplied_quantity→output_value" in row[7]
    assert 'class="growth method-break"' in html_cp
    assert "可比价为2021年价格" in html_cp and "可比价与增长" in html_cp


def test_html_comparable_charts(html_cp, tables_cp):
    assert "GEP：现价与可比价" in html_cp
    # the hand-made services carry no value_constant_yuan: the composition chart says it is at current prices
    assert "各服务价值（现价，未剔除价格因素）" in html_cp
    services, summary, coefficients, meta = tables_cp
    constant = services.assign(value_constant_yuan=services["value_yuan"] * 0.9)
    html = render_html(constant, summary, coefficients, meta)
    assert "各服务价值（2021年可比价）" in html and "未剔除价格因素" not in html
    # the county's 2021 composition at constant prices: 0.9 × 137.90 亿元 = 124.11 亿元 on top of the column
    assert "124.11" in html
    assert _parse(html).svgs >= 7


def test_html_township_evaluation(html_cp):
    tables = _tables(html_cp)
    latest = tables["evaluation-latest"]
    assert latest[0][:3] == ["GEP排名", "名称", "GEP(万元)"]
    assert _row(latest, "1") == ["1", "=1+1", "919,353.00", "9,193.53", "91.94", "4.60", "2.50%", "2", "60.00",
                                 "+0.50", "20.00", "-1.25"]
    # township B: no population, GDP or wetland figures → "—"
    assert _row(latest, "2") == ["2", "<script>alert(1)</script>", "459,676.50", "11,491.91", "—", "—", "4.00%",
                                 "1", "75.00", "0.00", "—", "—"]
    earlier = tables["evaluation-earlier"]
    assert earlier[0] == ["名称", "2020"]
    assert _row(earlier, "=1+1") == ["=1+1", "612,902.00", "—", "1"]
    # ranking chart by real growth, latest year: B (4.00 %) above A (2.50 %)
    chart = html_cp[html_cp.index("乡镇实际增长率（2021）"):]
    chart = chart[:chart.index("</svg>")]
    assert chart.index("&lt;script&gt;") < chart.index("=1+1") and "4.00" in chart and "2.50" in chart


def test_html_decomposition(html_cp):
    tables = _tables(html_cp)
    county = tables["decomposition-2021"]
    assert county[0] == ["类别", "服务", "上年价值", "本年价值", "变化", "数量效应", "价格效应"]
    assert _row(county, "调节服务") == ["调节服务", "水源涵养", "918,333.00", "1,377,499.50", "+459,166.50",
                                     "+300,000.00", "+159,166.50"]
    assert _row(county, "合计") == ["合计", "918,933.00", "1,378,399.50", "+459,466.50", "+300,200.00",
                                  "+159,266.50"]
    drivers = tables["drivers"]
    assert _row(drivers, "=1+1") == ["=1+1", "-140.00", "-140.00", "0.00", "休闲旅游 -300.00", "水源涵养 +100.00",
                                     "水资源供给 +50.00"]
    assert _row(drivers, "<script>alert(1)</script>")[4:] == ["—", "—", "—"]
    assert "2021年较上年" in html_cp


def test_html_price_indices(html_cp):
    table = _tables(html_cp)["price-index-table"]
    assert _row(table, "cpi") == ["cpi", "2021", "100.90", "国家统计局 2021 统计公报", "已核实"]
    assert _row(table, "fai") == ["fai", "2021", "104.40", "=recalled", "⚠ 未核实"]
    # listed with the coefficients
    assert html_cp.index('id="coefficient-table"') < html_cp.index('id="price-index-table"')


def test_html_comparable_is_escaped_and_self_contained(html_cp):
    assert "<script" not in html_cp.lower()
    lowered = html_cp.lower()
    assert "<link" not in lowered and " src=" not in lowered


def test_html_comparable_english(tables_cp):
    html = render_html(*tables_cp, lang="en")
    _parse(html)
    growth = _tables(html)["growth-table"]
    assert growth[0][2] == "GEP, constant 2021 prices"
    assert _row(growth, "2021")[3] == "3.00%" and "⚠ method break" in _row(growth, "2021")[7]
    assert "Township evaluation" in html and "What drove the change" in html
    assert "Price indices (previous year = 100)" in html


def test_workbook_comparable_sheets(workbook_cp):
    _, wb = workbook_cp
    assert wb.sheetnames == ["说明", "汇总", "实物量表", "价值量表", "生态系统价值", "乡镇", "可比价", "乡镇考核",
                             "变化分解", "系数表", "价格指数"]
    ws = wb["可比价"]
    header = _find_row(ws, 1, "区划代码")
    columns = {ws.cell(row=header, column=c).value: c for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(header + 1, ws.max_row + 1)
               if ws.cell(row=r, column=1).value == COUNTY and ws.cell(row=r, column=4).value == 2021)
    growth = ws.cell(row=row, column=columns["实际增长率"])
    assert growth.data_type == "n" and growth.value == pytest.approx(0.03) and growth.number_format == "0.00%"
    assert ws.cell(row=row, column=columns["GEP可比价(万元)"]).value == pytest.approx(1_030_000.0)  # 103 亿元
    assert ws.cell(row=row, column=columns["方法变更"]).value == "是"
    first = row - 1  # 2020: no growth in the first year → empty cell
    assert ws.cell(row=first, column=columns["实际增长率"]).value is None
    assert ws.cell(row=first, column=columns["方法变更"]).value == "否"
    assert {ws.cell(row=r, column=1).value for r in range(header + 1, ws.max_row + 1)} == {COUNTY, TOWN_A}


def test_workbook_evaluation_sheet(workbook_cp):
    _, wb = workbook_cp
    ws = wb["乡镇考核"]
    header = _find_row(ws, 1, "年份")
    columns = {ws.cell(row=header, column=c).value: c for c in range(1, ws.max_column + 1)}
    rows = [r for r in range(header + 1, ws.max_row + 1)]
    assert [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value) for r in rows] == [
        (2021, TOWN_A), (2021, TOWN_B), (2020, TOWN_A), (2020, TOWN_B)]  # latest year first, by rank
    a = rows[0]
    assert ws.cell(row=a, column=3).value == "=1+1" and ws.cell(row=a, column=3).data_type == "s"
    assert ws.cell(row=a, column=columns["人口(人)"]).value == 10_000
    assert ws.cell(row=a, column=columns["人均GEP(万元/人)"]).value == pytest.approx(91.9353)
    assert ws.cell(row=a, column=columns["森林覆盖率变化(百分点)"]).value == pytest.approx(0.5)
    assert ws.cell(row=rows[1], column=columns["人均GEP(万元/人)"]).value is None  # missing stays empty


def test_workbook_decomposition_and_price_index_sheets(workbook_cp):
    _, wb = workbook_cp
    ws = wb["变化分解"]
    header = _find_row(ws, 1, "区划代码")
    columns = {ws.cell(row=header, column=c).value: c for c in range(1, ws.max_column + 1)}
    assert ws.max_row - header == 7
    for r in range(header + 1, ws.max_row + 1):  # quantity + price = change, in 万元
        q, p, c = (ws.cell(row=r, column=columns[k]).value for k in ("数量效应", "价格效应", "变化"))
        assert q + p == pytest.approx(c)
    water = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(row=r, column=1).value == COUNTY
                 and ws.cell(row=r, column=6).value == "水源涵养")
    assert ws.cell(row=water, column=columns["数量效应"]).value == pytest.approx(300_000.0)
    prices = wb["价格指数"]
    row = _find_row(prices, 1, "fai")
    assert prices.cell(row=row, column=3).value == pytest.approx(104.4)
    assert prices.cell(row=row, column=4).data_type == "s"  # "=recalled" stays text
    assert prices.cell(row=row, column=5).value == "未核实"
    assert prices.cell(row=row, column=1).fill.fgColor.rgb.endswith("FDE9D9")


def test_workbook_comparable_stays_text_and_deterministic(workbook_cp, tables_cp, tmp_path):
    path, _ = workbook_cp
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name
    again = write_excel(tmp_path / "again.xlsx", *tables_cp)
    assert again.read_bytes() == path.read_bytes()


def test_stacked_chart_escapes_and_totals():
    from gep.render.charts import stacked_bar_chart_svg
    svg = stacked_bar_chart_svg([2020, 2021], {"<a>": [1.0, 2.0], "B": [0.5, None], "C": [-0.25, 0.0]}, "亿元", "t")
    assert "&lt;a&gt;" in svg and "<a>" not in svg
    assert "1.25" in svg and "2.00" in svg  # column totals: 1 + 0.5 − 0.25 and 2
    _parse(svg)
