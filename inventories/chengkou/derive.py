#!/usr/bin/env python3
"""Generate the bundled default inventory of 城口县 (Chengkou county, 500229), 2017–2021.

Run:  python inventories/chengkou/derive.py      (pure standard library; writes the CSVs next to this file)

Every figure written here is either
  观测 (observed)  — read in a public source, named in 来源;
  推算 (derived)   — arithmetic on observed figures, the arithmetic is in 备注;
  估算 (estimated) — an allocation, a typical regional value or an assumption, the method is in 备注.
README.md (same folder) lists every figure with its source or derivation.

Design rules:
  * All arithmetic is done in decimal.Decimal and every allocation uses the largest-remainder method on the
    last digit written, so parts add up EXACTLY (as written) to the totals they are allocated from.
  * 'other' (其他) is the balancing residual of each township-year: extent rows add up to the land area exactly.
  * Output is deterministic: no timestamps, rows sorted by the table keys (region code, year, then the
    vocabulary order of inventory.yaml for enum keys), '\n' line endings, UTF-8 without BOM.
"""
from __future__ import annotations

import csv
import os
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal as D, getcontext

getcontext().prec = 40
HERE = os.path.dirname(os.path.abspath(__file__))
# Where the CSVs go: next to this script, or the folder given as the first argument (the test suite
# regenerates the inventory into a temporary folder and compares it byte for byte).
OUT_DIR = HERE
YEARS = [2017, 2018, 2019, 2020, 2021]
COUNTY = "500229"
HA_PER_KM2 = D(100)
HA_PER_WAN_MU = D(10000) / D(15)          # 1 亩 = 1/15 hm² exactly


def q(x: D, places: int) -> D:
    """Round half-up to `places` decimals."""
    return x.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def pct(share: D) -> str:
    """A share as a percentage without trailing zeros: 0.015 -> '1.5'."""
    v = (share * 100).normalize()
    return format(v, "f")


def fmt(x, places: int | None = None) -> str:
    if x is None:
        return ""
    if places is not None:
        x = q(D(x), places)
    s = format(D(x), "f")
    return s[1:] if s.startswith("-") and D(s) == 0 else s


def allocate(total: D, weights: dict, places: int) -> dict:
    """Split `total` (rounded to `places`) over keys in proportion to `weights`, largest remainder.

    Returns multiples of 10^-places that add up exactly to the rounded total. Ties go to the lower key.
    """
    quantum = D(1).scaleb(-places)
    units = int(q(total, places) / quantum)
    wsum = sum(weights.values())
    raw = {k: D(units) * D(w) / wsum for k, w in weights.items()}
    base = {k: int(r) for k, r in raw.items()}
    left = units - sum(base.values())
    for k in sorted(weights, key=lambda k: (-(raw[k] - base[k]), k))[:left]:
        base[k] += 1
    return {k: D(v) * quantum for k, v in base.items()}


# ---------------------------------------------------------------------------------------------------
# Sources (full citations; README.md repeats them)
# ---------------------------------------------------------------------------------------------------
S_FACTPEDIA = "factpedia 重庆城口 https://www.factpedia.org/index.php?title=%E9%87%8D%E5%BA%86%E5%9F%8E%E5%8F%A3&variant=zh-hans"
S_HKCD = "香港商报 2022-07-02 https://hkcd.com/content_p/2022-07/02/content_137281.html"
S_CQCB = "上游新闻 2019-01-02 https://cqcb.com/county/chengkouxian/chengkouxianxinwen/2019-01-02/1352367.html"
S_CQZXB = "重庆政协报 2018-07-03 http://cqzxb.itlic.com/content/2018-07/03/005463.html"
S_CQGOV = "重庆市政府网 2020-10-16 http://cq.gov.cn/zwxx/zwdt/202010/t20201016_8000876.html"
S_NMUBAO = "http://www.nmubao.com/news/show.php?itemid=435"
S_BASHAN_HPP = "中国水电建设集团 2010-06-04 (镜像) http://hongxingpaper.com/n2588025/n2588124/c4195663/content.html"
S_PLAN = "城口县乡村振兴规划(2021–2025)"
S_REGPAR = "regional-parameters.md"          # the project's reference notes (shared/reference)
S_README = "README.md"

# ---------------------------------------------------------------------------------------------------
# 1. Regions: county and the 25 township-level units (official codes)
# ---------------------------------------------------------------------------------------------------
COUNTY_NAME = "城口县"
COUNTY_LAND_KM2 = D("3289.09")
LAND_HA = COUNTY_LAND_KM2 * HA_PER_KM2     # 328909 hm²

LQ = "低质量转载(low-quality repost, to be checked)"
U_XZQH = "渝府〔2009〕179号批复转载 http://xzqh.info/lt/read.php?fpage=9&page=6&tid=86668"
U_GDL = "http://www.guangdonglong.com/c/02141E26132023.html"
# code, name, area km² (None = residual share), status, source, note
TOWNSHIPS = [
    ("500229001", "葛城街道", "16.14", "观测", U_XZQH, LQ + ";2009年设街道时面积,此后可能变动"),
    ("500229002", "复兴街道", "58.8", "观测", U_XZQH, LQ + ";2009年设街道时面积,此后可能变动"),
    ("500229102", "巴山镇", "127.23", "观测", "城口县融媒体 https://chengkou.cbg.cn/show/7400-420399.html", "官方县媒"),
    ("500229103", "坪坝镇", None, None, None, None),
    ("500229104", "庙坝镇", None, None, None, None),
    ("500229105", "明通镇", "80.51", "观测", "http://47.119.164.151/address_info/500229105/code/122",
     LQ + ";同页村名单为旧区划"),
    ("500229106", "修齐镇", None, None, None, None),
    ("500229107", "高观镇", "131", "观测", "http://jjgjrc.com/chongqing/chengkou_gaoguanzhen.html", LQ + ";原文'约131平方公里'"),
    ("500229108", "高燕镇", None, None, None, None),
    ("500229109", "东安镇", "400", "观测",
     "城口县政府 东安镇简介 2025-03 http://cqck.gov.cn/jz/adz/zwgk_70755/fdzdgknr_70758/jgjj_70761/jzjj/202503/t20250303_14363848.html",
     "官方"),
    ("500229110", "咸宜镇", None, None, None, None),
    ("500229111", "高楠镇", None, None, None, "转载所见111.7平方公里为并乡前旧高楠乡数据,未采用"),
    ("500229201", "龙田乡", None, None, None, "转载所见73.9平方公里为2001年并乡前数据,未采用"),
    ("500229202", "北屏乡", None, None, None, None),
    ("500229205", "左岚乡", "80.09", "观测", "求真百科镜像 https://pediainside.com/wiki/%E5%B7%A6%E5%B2%9A%E4%B9%A1", LQ),
    ("500229208", "沿河乡", None, None, None, "转载所见51平方公里为1997年旧数据,未采用"),
    ("500229210", "双河乡", "178.8", "观测",
     "双河乡简介(2024年版) http://cqck.gov.cn/jz/shx/zwgk_70755/fdzdgknr_70758/jgjj_70761/jzjj/202402/t20240228_12969810.html",
     "官方"),
    ("500229211", "蓼子乡", "151.06", "观测", "百科转载 http://mbji.cn/mbji/蓼子乡/1519734",
     LQ + ";bk5.cn所见约83.6为2004年并乡前旧数据"),
    ("500229212", "鸡鸣乡", "87", "观测",
     "鸡鸣乡简介 2025-02 http://cqck.gov.cn/jz/jmx/zwgk_70755/fdzdgknr_70758/jgjj_70761/jzjj/202502/t20250220_14325925.html",
     "官方"),
    ("500229214", "周溪乡", "124.32", "观测", "百科转载 http://m.gethgdk.com/hebeideji/4533549816633218966.html", LQ),
    ("500229216", "明中乡", None, None, None, None),
    ("500229217", "治平乡", None, None, None, None),
    ("500229219", "岚天乡", "111.26", "观测", U_GDL, LQ),
    ("500229220", "厚坪乡", "147", "观测", U_GDL, LQ),
    ("500229221", "河鱼乡", "131", "观测", U_GDL, LQ),
]
CODES = [t[0] for t in TOWNSHIPS]
NAME = {t[0]: t[1] for t in TOWNSHIPS}
NAME[COUNTY] = COUNTY_NAME


def township_areas():
    """Land area per township in km² (2 decimals) adding up exactly to 3289.09."""
    found = {c: D(a) for c, _, a, *_ in TOWNSHIPS if a is not None}
    rest = [c for c, _, a, *_ in TOWNSHIPS if a is None]
    residual = COUNTY_LAND_KM2 - sum(found.values())
    # equal split rounded down to the cent; the odd cent(s) go to the last of these units (治平乡)
    each = (residual / len(rest)).quantize(D("0.01"), rounding=ROUND_DOWN)
    shares = {c: each for c in rest}
    shares[rest[-1]] += residual - each * len(rest)
    areas = {**found, **shares}
    assert sum(areas.values()) == COUNTY_LAND_KM2
    return areas, residual, each, rest


AREA_KM2, RESIDUAL_KM2, EACH_KM2, REST = township_areas()
FOUND_SUM_KM2 = COUNTY_LAND_KM2 - RESIDUAL_KM2
LAND = {c: AREA_KM2[c] * HA_PER_KM2 for c in CODES}      # hm², exact integers here
assert sum(LAND.values()) == LAND_HA

# ---------------------------------------------------------------------------------------------------
# 2. County totals (hm²) for the extent account
# ---------------------------------------------------------------------------------------------------
FOREST_COUNTY = {
    2017: D(337) * HA_PER_WAN_MU,                                    # 337万亩, observed
    2018: D("0.673") * LAND_HA,                                      # 67.3 % × land
    2020: D("0.702") * LAND_HA,                                      # 70.2 % × land
    2021: D(359) * HA_PER_WAN_MU,                                    # 359万亩, observed
}
FOREST_COUNTY[2019] = (FOREST_COUNTY[2018] + FOREST_COUNTY[2020]) / 2  # linear interpolation
FOREST_COUNTY = {y: q(v, 4) for y, v in FOREST_COUNTY.items()}

FARMLAND_WAN_MU = D("30.5")
FARMLAND_COUNTY = q(FARMLAND_WAN_MU * HA_PER_WAN_MU, 4)
SHARES = {"shrub": D("0.07"), "grassland": D("0.04"), "garden": D("0.015"), "urban": D("0.015")}
SHARE_COUNTY = {k: q(s * LAND_HA, 4) for k, s in SHARES.items()}

RESERVOIR_HA = D("587.8")                    # 巴山湖国家湿地公园 湿地面积
RESERVOIR_SPLIT = {"500229102": D("0.7"), "500229201": D("0.3")}   # 巴山镇 / 龙田乡
RENHE_KM, RENHE_WIDTH_M = D(128), D(150)
RENHE_HA = RENHE_KM * 1000 * RENHE_WIDTH_M / 10000                  # 1920 hm²
RENHE_TOWNS = ["500229109", "500229106", "500229001", "500229002", "500229201", "500229102", "500229107"]
SWAMP_HA = D(50)
WETLAND_TOTAL_HA = D(4140)                   # ≈ 6.21万亩, just above the 6.2万亩 (4133.33 hm²) floor
OTHER_RIVERS_HA = WETLAND_TOTAL_HA - RESERVOIR_HA - RENHE_HA - SWAMP_HA   # 1582.2 hm²

ECOSYSTEMS = [  # vocabulary order of inventory.yaml, wetland_lake left out (no natural lakes)
    ("forest", "森林"), ("shrub", "灌丛"), ("grassland", "草地"), ("garden", "园地"),
    ("wetland_swamp", "沼泽"), ("wetland_reservoir", "水库坑塘"), ("wetland_river", "河流"),
    ("farmland", "耕地"), ("urban", "城镇"), ("other", "其他"),
]
ZH = dict(ECOSYSTEMS)


def build_extent():
    ext = {}                                     # (code, year) -> {eco: hm²}
    static = {}
    static["farmland"] = allocate(FARMLAND_COUNTY, LAND, 4)
    for k in SHARES:
        static[k] = allocate(SHARE_COUNTY[k], LAND, 4)
    static["wetland_swamp"] = allocate(SWAMP_HA, LAND, 4)
    res = {c: D(0) for c in CODES}
    for c, s in RESERVOIR_SPLIT.items():
        res[c] = q(RESERVOIR_HA * s, 4)
    assert sum(res.values()) == RESERVOIR_HA
    static["wetland_reservoir"] = res
    renhe = allocate(RENHE_HA, {c: LAND[c] for c in RENHE_TOWNS}, 4)
    other_rivers = allocate(OTHER_RIVERS_HA, LAND, 4)
    static["wetland_river"] = {c: renhe.get(c, D(0)) + other_rivers[c] for c in CODES}
    for y in YEARS:
        forest = allocate(FOREST_COUNTY[y], LAND, 4)
        for c in CODES:
            row = {"forest": forest[c]}
            for k in ("shrub", "grassland", "garden", "wetland_swamp", "wetland_reservoir", "wetland_river",
                      "farmland", "urban"):
                row[k] = static[k][c]
            row["other"] = LAND[c] - sum(row.values())
            assert row["other"] >= 0, (c, y, row)
            assert sum(row.values()) == LAND[c]
            ext[(c, y)] = row
    return ext, renhe, other_rivers


EXTENT, RENHE_ALLOC, OTHER_RIVERS_ALLOC = build_extent()


def county_sum(eco, y):
    return sum(EXTENT[(c, y)][eco] for c in CODES)


for _y in YEARS:
    assert county_sum("forest", _y) == FOREST_COUNTY[_y]
    assert sum(county_sum(e, _y) for e, _ in ECOSYSTEMS) == LAND_HA

# ---------------------------------------------------------------------------------------------------
# 3. Forest resources
# ---------------------------------------------------------------------------------------------------
NATURAL_WAN_MU = D(285)
NATURAL_HA = q(NATURAL_WAN_MU * HA_PER_WAN_MU, 4)          # 190000 hm², held constant
STOCK = {2018: D("1526"), 2019: D("1549.63")}              # 万m³, observed
STOCK_STEP = STOCK[2019] - STOCK[2018]                     # +23.63 万m³/a
STOCK[2017] = STOCK[2018] - STOCK_STEP
STOCK[2020] = STOCK[2019] + STOCK_STEP
STOCK[2021] = STOCK[2019] + 2 * STOCK_STEP

# ---------------------------------------------------------------------------------------------------
# 4. Socio-economic anchors and estimates
# ---------------------------------------------------------------------------------------------------
POP_2020 = D(197497)
GDP_2020_YI = D("55.20")
COVERAGE = {2017: ("68.3", S_HKCD), 2018: ("67.3", S_CQZXB + " ; " + S_CQCB), 2020: ("70.2", S_CQGOV),
            2021: ("72.8", S_HKCD)}

DOMESTIC_L_PER_DAY = D(112)
DOMESTIC_WAN_M3 = POP_2020 * DOMESTIC_L_PER_DAY * 365 / 1000 / 10000          # 807.367736 万m³/a
GY_PRODUCTION, GY_DOMESTIC = D("71.68"), D("26.20")
PRODUCTION_WAN_M3 = DOMESTIC_WAN_M3 * GY_PRODUCTION / GY_DOMESTIC
AGRI_SHARE_OF_PRODUCTION = D("0.8")
WATER_COUNTY = {
    "domestic": q(DOMESTIC_WAN_M3, 4),
    "industrial": q(PRODUCTION_WAN_M3 * (1 - AGRI_SHARE_OF_PRODUCTION), 4),
    "agricultural": q(PRODUCTION_WAN_M3 * AGRI_SHARE_OF_PRODUCTION, 4),
}
WATER_USES = [("domestic", "生活"), ("industrial", "工业"), ("agricultural", "农业")]

HPP_CAPACITY_WAN_KW = D(14)
HPP_HOURS = D(3500)
HPP_GEN_YI_KWH = HPP_CAPACITY_WAN_KW * HPP_HOURS / 10000                      # 4.9 亿kWh
# Water resources (水资源存量及变动表). The 任河 leaves the county with 63.4 m³/s from 2360.74 km² of
# in-county basin (county gazetteer, chengkou-data.md §1.4): 63.4 × 31.536e6 s / 2360.74 km² = 847 mm/a of
# runoff, applied to every township's land (the reference derives the county 水资源总量 ≈ 27.9亿m³ the same
# way; no official figure was found). Both rivers rise inside the county, so no inflow from upstream.
RENHE_FLOW_M3_S, RENHE_BASIN_KM2 = D("63.4"), D("2360.74")
RUNOFF_MM = RENHE_FLOW_M3_S * D(31536000) / (RENHE_BASIN_KM2 * 10 ** 6) * 1000           # 846.9 mm/a
BASHAN_STORAGE_YI_M3 = D("3.154")   # total storage of the 巴山 reservoir; its actual storage was not found

NATIONAL_POP_2020 = D(1411778724)
POP_SHARE = POP_2020 / NATIONAL_POP_2020
NATIONAL_EMISSIONS_WAN_T = [   # 2020, UNVERIFIED recall of 2020年中国生态环境统计年报
    ("so2", "二氧化硫", D("318.22")), ("nox", "氮氧化物", D("1181.65")), ("dust", "烟粉尘", D("611.40")),
    ("cod", "化学需氧量", D("2564.76")), ("nh3n", "氨氮", D("98.40")), ("tp", "总磷", D("33.67")),
]
EMISSION_COUNTY = {k: q(v * 10000 * POP_SHARE, 3) for k, _, v in NATIONAL_EMISSIONS_WAN_T}

PRIMARY_SHARE, VA_RATIO = D("0.17"), D("0.6")
OUTPUT_2020_WAN = GDP_2020_YI * 10000 * PRIMARY_SHARE / VA_RATIO             # 156400 万元
SECTORS = [("agriculture", "农业", D("0.45"), "农业总产值"), ("forestry", "林业", D("0.10"), "林业总产值"),
           ("husbandry", "牧业", D("0.42"), "牧业总产值"), ("fishery", "渔业", D("0.03"), "渔业总产值")]
GROWTH = D("1.04")
OUTPUT_TOTAL = {y: OUTPUT_2020_WAN * GROWTH ** (y - 2020) if y >= 2020 else OUTPUT_2020_WAN / GROWTH ** (2020 - y)
                for y in YEARS}

VISITS_2021_WAN = D(430)
VISIT_GROWTH = D("1.15")
VISITS = {y: q(VISITS_2021_WAN / VISIT_GROWTH ** (2021 - y), 4) for y in YEARS}
SPENDING_PER_VISIT = D(400)

# climate: one county row a year — a station's count, carried by the default method to the county's mean elevation
COOLING_DAYS = D(75)        # days with Tmax > 26 °C at the county seat, 达州 normals shifted by −3.4 °C
SEAT_ELEVATION = D(760)     # the county seat, for which COOLING_DAYS was derived (factpedia: 县城海拔760米)
RELATIVE_HUMIDITY = D("78.5")  # %, 巫溪大官山 below 1670 m, annual mean (陈志军 et al. 2022), for 城口 next door
# the county's mean elevation from its landform shares (factpedia: 低山河谷 54.66 %, 中山 42.36 %, 峰丛台地 the
# rest) with each class at the middle of its part of 481.5–2685.7 m (低山 below 1000 m, 中山 and 台地 above):
# 0.5466 × 740.75 + 0.4534 × 1842.85 = 1240.4 → 1240 m
MEAN_ELEVATION = D(1240)
S_DAZHOU = ("达州 1981–2010 气候标准值 (中国地面气候标准值月值, 中国气象数据网), as reproduced at "
            "https://zh.wikipedia.org/wiki/Template:达州市气候数据")
S_CHEN2022 = ("陈志军, 李跃清, 杜钦, 何泽能, 赵兴炳, 高阳华 2022, 西南地区东部大官山温湿梯度变化特征分析, 高原山地气象研究 "
              "2022(1):18-23 https://journal.yuanpingjia.com.cn/Journal/ArticleDetails/275636")

# ---------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------
BOOK = ["来源", "备注", "数据状态"]


def write(table: str, header: list[str], rows: list[list]):
    path = os.path.join(OUT_DIR, f"{table}.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header + BOOK)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])
    return len(rows)


def t_regions():
    # one status per row: the county's land area is observed, its mean elevation estimated, so the row is 估算
    rows = [[COUNTY, COUNTY_NAME, "", "县", fmt(COUNTY_LAND_KM2), fmt(MEAN_ELEVATION), S_FACTPEDIA,
             "土地面积观测:截至2021年幅员;另见3289.08(guangdonglong.com)、旧值3232/3292.4;乡镇面积之和按此值闭合。"
             "平均海拔估算:按地貌构成(低山河谷54.66%,中山42.36%,其余峰丛台地)各取其在481.5–2685.7m内的中点"
             "(低山740.75m,中山与台地1842.85m)加权=1240m;乡镇未见平均海拔,沿用县值", "估算"]]
    rest_names = "、".join(NAME[c] for c in REST)
    for code, name, area, status, src, note in TOWNSHIPS:
        if area is None:
            extra = (f"未找到现势面积:3289.09−14个已知乡镇之和{fmt(FOUND_SUM_KM2)}={fmt(RESIDUAL_KM2)}平方公里,"
                     f"由{len(REST)}个乡镇({rest_names})均分,各{fmt(EACH_KM2)},尾差0.01计入{NAME[REST[-1]]}")
            note2 = extra + (";" + note if note else "")
            rows.append([code, name, COUNTY, "乡镇", fmt(AREA_KM2[code]), "", S_FACTPEDIA + "(县总面积)", note2, "估算"])
        else:
            rows.append([code, name, COUNTY, "乡镇", area, "", src, note, status])
    return write("regions", ["区划代码", "名称", "上级代码", "级别", "土地面积 [平方公里]", "平均海拔 [m]"], rows)


def t_socioeconomic():
    rows = []
    for y in YEARS:
        if y == 2019:
            continue   # no observed figure for 2019
        cov, src = COVERAGE[y]
        pop = fmt(POP_2020) if y == 2020 else ""
        gdp = fmt(GDP_2020_YI) if y == 2020 else ""
        note = "森林覆盖率(乔木林+特灌林)"
        if y == 2017:
            note += ";2022年报道口径,高于2018年报道的67.3%,疑为森林资源'一张图'更新后的重算序列"
        if y == 2018:
            note += ";2018–2019年报道口径(旧基数),与2017年68.3%不可直接比较"
        if y == 2020:
            note += ";常住人口为七普(2020-11-01);GDP 55.20亿元(+1.8%)"
            src = src + " ; 人口 " + S_NMUBAO + " ; GDP " + S_FACTPEDIA
        rows.append([COUNTY, y, pop, gdp, cov, src, note, "观测"])
    return write("socioeconomic", ["区划代码", "年份", "常住人口 [人]", "地区生产总值 [亿元]", "森林覆盖率 [%]"], rows)


FOREST_NOTE = {
    2017: "县337万亩(观测)",
    2018: "县=67.3%×土地面积(推算)",
    2019: "县=2018与2020内插",
    2020: "县=70.2%×土地面积(推算)",
    2021: "县359万亩(观测)",
}


def extent_note(eco, c, y):
    if eco == "forest":
        return FOREST_NOTE[y] + ",按土地面积分配"
    if eco in SHARES:
        return f"县典型占比{pct(SHARES[eco])}%(假定),按土地面积分配"
    if eco == "farmland":
        return "县30.5万亩(假定,略高于保有量目标30万亩),按土地面积分配"
    if eco == "wetland_swamp":
        return "县50hm²(小量假定),按土地面积分配"
    if eco == "wetland_reservoir":
        if c in RESERVOIR_SPLIT:
            return f"巴山湖湿地587.8hm²(观测)×{pct(RESERVOIR_SPLIT[c])}%(70/30拆分假定)"
        return "无已知水库坑塘"
    if eco == "wetland_river":
        parts = []
        if c in RENHE_ALLOC:
            extra = "(文献作高望,按高观镇)" if c == "500229107" else ""
            parts.append(f"任河{fmt(RENHE_ALLOC[c])}(128km×150m=1920hm²,按面积分至7个沿河乡镇{extra})")
        parts.append(f"其他河流{fmt(OTHER_RIVERS_ALLOC[c])}(县1582.2hm²假定,按土地面积)")
        return "+".join(parts)
    if eco == "other":
        return "平衡项=土地面积−其余各类"
    return ""


def extent_source(eco):
    return {
        "forest": "hkcd 2022;cqzxb 2018;cq.gov.cn 2020",
        "farmland": S_PLAN,
        "wetland_reservoir": "hbzqbyyxgs.com 巴山湖;cqck.gov.cn 2022-06-06",
        "wetland_river": "verywind.cn 任河(县志);newton.com.tw",
    }.get(eco, S_README)


def t_extent():
    rows = []
    for c in CODES:
        for y in YEARS:
            for eco, zh in ECOSYSTEMS:
                note = extent_note(eco, c, y)
                rows.append([c, y, zh, fmt(EXTENT[(c, y)][eco], 4), extent_source(eco), note, "估算"])
    return write("extent", ["区划代码", "年份", "生态系统类型", "面积 [公顷]"], rows)


def forest_by_origin():
    """Forest area and stock volume by township × origin for every year: natural forest held constant
    (allocated by land area), planted = forest − natural, stock allocated by area."""
    natural = allocate(NATURAL_HA, LAND, 4)
    areas, stocks = {}, {}
    for y in YEARS:
        areas[y] = {}
        for c in CODES:
            f = EXTENT[(c, y)]["forest"]
            areas[y][(c, "natural")] = natural[c]
            areas[y][(c, "planted")] = f - natural[c]
            assert areas[y][(c, "planted")] >= 0
        stocks[y] = allocate(STOCK[y], areas[y], 4)
    return areas, stocks


def t_forest():
    rows = []
    all_areas, all_stocks = forest_by_origin()
    for y in YEARS:
        areas, stock = all_areas[y], all_stocks[y]
        for c in CODES:
            for origin, zh in (("natural", "天然"), ("planted", "人工")):
                note = ("天然=县285万亩(观测)各年不变,按土地面积分配;" if origin == "natural"
                        else "人工=森林−天然;")
                if y in (2018, 2019):
                    note += f"县蓄积{fmt(STOCK[y])}万m³(观测)按面积分配"
                else:
                    note += f"县蓄积{fmt(STOCK[y])}万m³(按年增23.63外推)按面积分配"
                src = "cqcb 2019;cqzxb 2018"
                rows.append([c, y, "未分林型", zh, fmt(areas[(c, origin)], 4), fmt(stock[(c, origin)], 4),
                             src, note, "估算"])
    return write("forest", ["区划代码", "年份", "林分类型", "起源", "面积 [公顷]", "蓄积量 [万m³]"], rows)


ET = {"forest": 550, "shrub": 500, "grassland": 450, "garden": 500, "farmland": 500,
      "wetland_swamp": 750, "wetland_reservoir": 750, "wetland_river": 750}
C_FACTOR = {"forest": "0.004", "shrub": "0.04", "grassland": "0.043", "garden": "0.10", "farmland": "0.25"}
P_FACTOR = {"forest": "1.0", "shrub": "1.0", "grassland": "1.0", "garden": "1.0", "farmland": "0.35"}
NPP = {"forest": 620, "shrub": 500, "grassland": 450, "garden": 450, "wetland_swamp": 400}
R_FACTOR, K_FACTOR, LS_FACTOR = D(5784), D("0.035"), D("1.2")
LAND_ECOS = ("forest", "shrub", "grassland", "garden", "farmland")


def conditions_note(eco):
    if eco.startswith("wetland"):
        return "P县多年均值通用;ET水面蒸发" + (",NPP" if eco in NPP else "") + "为区域/假定值(见README)"
    if eco == "forest":
        return "P县多年均值通用;NPP重庆MOD17均值;ET,R,K,LS,C,P为区域借用/假定值(见README)"
    return "P县多年均值通用;ET,R,K,LS,C,P,NPP为区域借用/假定值(见README)"


def t_conditions():
    rows = []
    src_land = "factpedia;regional-parameters.md"
    src_wet = src_land
    for c in CODES:
        for y in YEARS:
            for eco, zh in ECOSYSTEMS:
                if eco in ("urban", "other") or EXTENT[(c, y)][eco] == 0:
                    continue
                land = eco in LAND_ECOS
                rows.append([
                    c, y, zh, "1361.1", ET[eco], "",
                    fmt(R_FACTOR) if land else "", fmt(K_FACTOR) if land else "", fmt(LS_FACTOR) if land else "",
                    C_FACTOR.get(eco, ""), P_FACTOR.get(eco, ""),
                    "0" if land else "", "0" if land else "",
                    NPP.get(eco, ""),
                    src_land if land else src_wet, conditions_note(eco), "估算"])
    return write("conditions", [
        "区划代码", "年份", "生态系统类型", "降水量 [mm/a]", "蒸散发量 [mm/a]", "地表径流系数 [1]",
        "降雨侵蚀力因子R [MJ*mm/(hm2*h*a)]", "土壤可蚀性因子K [t*hm2*h/(hm2*MJ*mm)]", "坡长坡度因子LS [1]",
        "植被覆盖与管理因子C [1]", "水土保持措施因子P [1]", "潜在风蚀模数 [t/(hm2*a)]", "实际风蚀模数 [t/(hm2*a)]",
        "净初级生产力 [g C/(m2*a)]"], rows)


def t_climate():
    # county rows: the townships take them (a climate row applies to the sub-regions without one), and the default
    # method carries the seat's days to the mean elevation
    rows = [[COUNTY, y, fmt(COOLING_DAYS), fmt(SEAT_ELEVATION), fmt(RELATIVE_HUMIDITY), "",
             f"{S_DAZHOU}; {S_FACTPEDIA}; {S_CHEN2022}",
             "空调降温天数:日最高气温>26℃天数,达州1981–2010常年值按海拔降温3.4℃推到县城(760m),区间60–90(估算);"
             "站点海拔:县城760m(观测);相对湿度:巫溪大官山1670m以下年均78.5%(邻县,估算);暴雨降水量未找到,留空", "估算"]
            for y in YEARS]
    return write("climate", ["区划代码", "年份", "空调降温天数 [d]", "站点海拔 [m]", "相对湿度 [%]",
                             "暴雨降水量 [mm/a]"], rows)


def t_water_bodies():
    rows = [["500229102", y, "巴山水库", "水库", "", "3.154", "", S_BASHAN_HPP,
             "巴山水电站水库,正常蓄水位680m;水面面积、防洪库容未见", "观测"] for y in YEARS]
    return write("water_bodies", ["区划代码", "年份", "名称", "类型", "水面面积 [公顷]", "总库容 [亿m³]",
                                  "防洪库容 [亿m³]"], rows)


def t_water_supply():
    rows = []
    alloc = {u: allocate(WATER_COUNTY[u], LAND, 4) for u, _ in WATER_USES}
    notes = {
        "domestic": f"县=197497人×112L/(人·d)×365={fmt(WATER_COUNTY['domestic'])}万m³,按土地面积分配",
        "industrial": f"县=生活×71.68/26.20(广元)×20%(假定)={fmt(WATER_COUNTY['industrial'])}万m³,按土地面积分配",
        "agricultural": f"县=生活×71.68/26.20(广元)×80%(假定)={fmt(WATER_COUNTY['agricultural'])}万m³,按土地面积分配",
    }
    for c in CODES:
        for y in YEARS:
            for u, zh in WATER_USES:
                rows.append([c, y, zh, fmt(alloc[u][c], 4), "", "广元市2021年水资源公报;七普",
                             notes[u], "估算"])
    return write("water_supply", ["区划代码", "年份", "用途", "供水量 [万m³]", "水价 [元/m3]"], rows)


def t_water_resources():
    """水资源存量: only the 巴山 reservoir has a stock figure — its total storage 3.154亿m³ (observed as a
    capacity), used as the year-end storage of every year (estimated: the actual storage was not found).
    River channel, groundwater and soil-water stocks were not found and are left out."""
    rows = [["500229102", y, "水库", fmt(BASHAN_STORAGE_YI_M3), S_BASHAN_HPP,
             "巴山水库总库容(观测)代替年末蓄水量(未找到);各年相同", "估算"] for y in YEARS]
    return write("water_resources", ["区划代码", "年份", "水资源类型", "蓄水量 [亿m³]"], rows)


def water_flows(c, y):
    """水资源变动 of township c in year y, on the river-channel item: runoff formed from precipitation
    (847 mm/a × land area), abstraction (the water_supply estimates) and the outflow that balances them
    (channel storage taken as unchanged)."""
    runoff = q(RUNOFF_MM / 1000 * LAND[c] * 10000 / 10000, 4)   # m × hm² × 10⁴ m²/hm² → 万m³
    abstraction = sum(q(allocate(WATER_COUNTY[u], LAND, 4)[c], 4) for u, _ in WATER_USES)
    src = "任河 63.4m³/s, 流域2360.74km² (城口县志转引 verywind.cn; chengkou-data.md §1.4)"
    return [
        [c, y, "水资源", "河道", "", "降水形成", fmt(runoff, 4), "万m³", src,
         f"产水深{fmt(q(RUNOFF_MM, 1))}mm/a(任河径流/县内流域面积)×土地面积", "估算"],
        [c, y, "水资源", "河道", "", "取水", fmt(-abstraction, 4), "万m³", "见water_supply.csv",
         "生活+工业+农业供水量(估算)", "估算"],
        [c, y, "水资源", "河道", "", "流出", fmt(abstraction - runoff, 4), "万m³", src,
         "水量平衡倒算:产水−取水(河道蓄量视为不变;回归水未找到,未计);任河、前河均发源于县内,无上游入境水", "估算"],
    ]


def t_hydropower():
    rows = [["500229102", y, "巴山水电站", fmt(HPP_CAPACITY_WAN_KW), fmt(HPP_GEN_YI_KWH), S_BASHAN_HPP,
             "装机2×7万kW(观测);发电量=14万kW×3500h利用小时(假定,西南引水式电站典型值)=4.9亿kWh;"
             "县内其他小水电未计", "估算"] for y in YEARS]
    return write("hydropower", ["区划代码", "年份", "电站", "装机容量 [万kW]", "发电量 [亿kWh]"], rows)


def t_emissions():
    rows = []
    alloc = {k: allocate(EMISSION_COUNTY[k], LAND, 3) for k in EMISSION_COUNTY}
    for c in CODES:
        for y in YEARS:
            for k, zh, nat in NATIONAL_EMISSIONS_WAN_T:
                rows.append([c, y, zh, fmt(alloc[k][c], 3), "全国2020统计年报;七普",
                             f"县{fmt(EMISSION_COUNTY[k])}t=全国(UNVERIFIED)×人口比,各年同,按土地面积分配", "估算"])
    return write("emissions", ["区划代码", "年份", "污染物", "排放量 [t]"], rows)


def t_products():
    rows = []
    for y in YEARS:
        weights = {
            "agriculture": {c: EXTENT[(c, y)]["farmland"] for c in CODES},
            "forestry": {c: EXTENT[(c, y)]["forest"] for c in CODES},
            "husbandry": LAND, "fishery": LAND,
        }
        basis = {"agriculture": "耕地面积", "forestry": "森林面积", "husbandry": "土地面积", "fishery": "土地面积"}
        for key, zh, share, product in SECTORS:
            total = q(OUTPUT_TOTAL[y] * share, 4)
            alloc = allocate(total, weights[key], 4)
            for c in CODES:
                note = f"县{fmt(total)}万元(由GDP假定推估,{zh}占{pct(share)}%),按{basis[key]}分配"
                rows.append((c, y, [c, y, zh, product, "", "", "", "", "", fmt(alloc[c], 4),
                                    "factpedia(GDP 2020)", note, "估算"]))
    order = {k: i for i, (k, *_rest) in enumerate(SECTORS)}
    zh2key = {zh: k for k, zh, *_ in SECTORS}
    rows.sort(key=lambda r: (r[0], r[1], order[zh2key[r[2][2]]]))
    return write("products", ["区划代码", "年份", "行业", "产品", "生态系统类型", "产量", "计量单位", "单价", "价格单位",
                              "产值 [万元]"], [r[2] for r in rows])


def t_tourism():
    rows = []
    alloc = {y: allocate(VISITS[y], LAND, 4) for y in YEARS}
    for c in CODES:
        for y in YEARS:
            if y == 2021:
                n = "县430万人次(观测)"
            else:
                n = f"县=430/1.15^{2021 - y}={fmt(VISITS[y])}万人次(15%/a回推,未计新冠)"
            rows.append([c, y, fmt(alloc[y][c], 4), fmt(SPENDING_PER_VISIT), "hkcd 2022-07-02;国际在线2024-09-19",
                         n + ",按土地面积分配;人均花费400元(UNVERIFIED)", "估算"])
    return write("tourism", ["区划代码", "年份", "游客人次 [万人次]", "人均旅行花费 [元/人次]"], rows)


def t_targets():
    """Targets of the county plan. The plan does not say whether each is 约束性 (binding) or 预期性 (expected),
    so 约束性 says 未标明 (not stated) and the plan's own words go to 备注."""
    rows = [
        [COUNTY, 2025, "森林覆盖率", "72.8", "%", "未标明", S_PLAN,
         "规划原文:到2025年，全县森林覆盖率达到72.8%(专栏10 国土绿化行动)", "观测"],
        [COUNTY, 2025, "湿地保有量", "6.2", "万亩", "未标明", S_PLAN,
         "规划原文:湿地保有量不低于6.2万亩(专栏10 湿地保护修复工程);下限;=4133.33hm²", "观测"],
        [COUNTY, 2025, "耕地保有量", "30", "万亩", "未标明", S_PLAN,
         "规划原文:确保到2025年全县耕地保有量不少于30万亩(专栏11);下限;=20000hm²", "观测"],
    ]
    return write("targets", ["区划代码", "年份", "指标", "目标值", "单位", "约束性"], rows)


def t_changes():
    """资产变动: the changes that explain each township's stocks from one year to the next (estimated).

    Only forest and 'other' land change between years in this inventory (the other shares are fixed).
    2017→2018: the published coverage falls from 68.3 % to 67.3 % because the series was rebaselined
    (chengkou-data.md §1.2), so the difference is a survey correction (调查更正), not a loss; later
    increases are afforestation on 'other' land (人工造林, a conversion), all planted forest because
    natural forest is held constant. Stock volume changes by origin are recorded as natural growth
    (自然生长), net of any harvest (no harvest figure found); a negative change of one origin, which
    only the area allocation produces, is recorded as a survey correction."""
    rows = []
    _, stocks = forest_by_origin()
    rebaseline = "县森林覆盖率2017年68.3%(2022年报道)与2018年67.3%(2018–19年报道)口径不同,差额按调查更正处理"
    for c in CODES:
        for a, b in zip(YEARS, YEARS[1:]):
            rows += water_flows(c, b)
            d = EXTENT[(c, b)]["forest"] - EXTENT[(c, a)]["forest"]
            if d == 0:
                continue
            if b == 2018:
                rows.append([c, b, "生态系统面积", "森林", "", "调查更正", fmt(d, 4), "公顷", S_HKCD, rebaseline, "估算"])
                rows.append([c, b, "生态系统面积", "其他", "", "调查更正", fmt(-d, 4), "公顷", S_HKCD, rebaseline, "估算"])
                rows.append([c, b, "森林面积", "人工", "", "调查更正", fmt(d, 4), "公顷", S_HKCD, rebaseline, "估算"])
            else:
                note = "县森林面积增量按土地面积分配;全部记为其他地类上的人工造林(天然林各年不变)"
                rows.append([c, b, "生态系统面积", "森林", "其他", "人工造林", fmt(d, 4), "公顷", S_HKCD, note, "估算"])
                rows.append([c, b, "森林面积", "人工", "", "人工造林", fmt(d, 4), "公顷", S_HKCD, note, "估算"])
            for origin, zh in (("natural", "天然"), ("planted", "人工")):
                ds = stocks[b][(c, origin)] - stocks[a][(c, origin)]
                if ds == 0:
                    continue
                cause = "自然生长" if ds > 0 else "调查更正"
                note = ("蓄积净增按自然生长记(未找到采伐量,为扣除采伐后的净值)" if ds > 0
                        else "按面积分配蓄积造成的负差,按调查更正记")
                rows.append([c, b, "森林蓄积", zh, "", cause, fmt(ds, 4), "万m³", "cqcb 2019;cqzxb 2018", note, "估算"])
    return write("changes", ["区划代码", "年份", "账户", "项目", "转出项目", "变动原因", "变动量", "单位"], rows)


def t_obligations():
    """合同义务: the 2019 forest-coverage indicator sale to 九龙坡区 (observed: 1.5万亩 for 3750万元). The
    seller keeps and maintains the sold forest on the buyer's behalf; the management period and any
    annual fee were not found (a 15-year period is only recalled), so they are left blank."""
    rows = [[COUNTY, 2019, "九龙坡区", "出售森林面积指标", "1.5", "3750", "", "",
             "人民日报 repost http://xsdnews.net/nongyenongcun/102097.html (chengkou-data.md §2.1)",
             "2019-11-05 签约;委托城口照料,打桩挂牌,聘护林员;管护期限与年费未找到(15年为回忆,未核实),留空", "观测"]]
    return write("obligations", ["区划代码", "年份", "对方", "义务类型", "面积 [万亩]", "金额 [万元]",
                                 "年度义务金额 [元]", "期限 [a]"], rows)


def main():
    counts = {
        "regions": t_regions(), "socioeconomic": t_socioeconomic(), "extent": t_extent(),
        "forest": t_forest(), "conditions": t_conditions(), "climate": t_climate(),
        "water_bodies": t_water_bodies(), "water_supply": t_water_supply(),
        "water_resources": t_water_resources(), "hydropower": t_hydropower(),
        "emissions": t_emissions(), "products": t_products(), "tourism": t_tourism(), "targets": t_targets(),
        "changes": t_changes(), "obligations": t_obligations(),
    }
    for k, n in counts.items():
        print(f"{k}.csv: {n} rows")
    print("county totals (hm²):")
    for y in YEARS:
        wet = sum(county_sum(e, y) for e in ("wetland_swamp", "wetland_reservoir", "wetland_river"))
        print(f"  {y}: forest {fmt(county_sum('forest', y))} ({fmt(county_sum('forest', y) / LAND_HA * 100, 2)} %), "
              f"wetland {fmt(wet)}, farmland {fmt(county_sum('farmland', y))}, other {fmt(county_sum('other', y))}")


if __name__ == "__main__":
    import sys
    if len(sys.argv) > 1:
        OUT_DIR = sys.argv[1]
        os.makedirs(OUT_DIR, exist_ok=True)
    main()
