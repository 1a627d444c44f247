"""The catalogue of report phrases (gep/data/phrases.yaml): every phrase in both languages, the same
str.format placeholders in both, and every key gep looks up by a literal is in it — so a phrase missing in
one language or a mistyped key fails here rather than as a KeyError in the middle of writing a report."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from gep import explain
from gep.accounting import DOUBLE_COUNT_WATCH
from gep.assets.liabilities import METHODS as LIABILITY_METHODS
from gep.assets.monetary import ACCOUNT_ROWS
from gep.assets.physical import CAUSES
from gep.catalogue import ECOSYSTEM_GROUPS, VALUATION_METHODS, services_spec, vocabulary
from gep.coefficients import CANONICAL_UNITS
from gep.figure_text import STEP_SYMBOLS
from gep.method_inputs import LABELLED_ARGUMENTS
from gep.phrases import phrases, text
from gep.render import formulas, statement, valuation
from gep.trading.water import RULE_CHOICES

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh", "en")

# text("key", …) and bilingual("key", …) in gep's code; t('key') in the report templates (html.py passes t=lambda key: text(key, lang))
_CODE_CALL = re.compile(r"""\b(?:text|bilingual)\(\s*(["'])([^"'{}]+)\1\s*[,)]""")
_TEMPLATE_CALL = re.compile(r"""\bt\(\s*(["'])([^"'{}]+)\1\s*\)""")
# _t("key", …) in a renderer whose phrases have a prefix of their own: it looks up <prefix>.<key>; so does _row("key",
# …) in the valuation report
_T_CALL = re.compile(r"""\b_t\(\s*(["'])([^"'{}]+)\1\s*[,)]""")
_T_OR_ROW_CALL = re.compile(r"""\b_(?:t|row)\(\s*(["'])([^"'{}]+)\1\s*[,)]""")
_NOTE_CALL = re.compile(r"""\bv\.note\(\s*(["'])([^"'{}]+)\1\s*[,)]""")
_PT_CALL = re.compile(r"""\b_pt\(\s*(["'])([^"'{}]+)\1\s*[,)]""")
RENDER = ROOT / "gep" / "render"
# (file, the prefix its lookups add, the calls that look up): a file may have more than one
PREFIXED = [(RENDER / "trace_page.py", "trace", _T_CALL), (RENDER / "valuation.py", "valuation", _T_OR_ROW_CALL),
            (RENDER / "statement.py", "statement", _T_CALL), (RENDER / "formulas.py", "formulas", _T_CALL),
            # gep explain: _t("key") looks up explain.<key>, _pt("key") explain.parcel.<key>
            (ROOT / "gep" / "explain.py", "explain", _T_CALL), (ROOT / "gep" / "explain.py", "explain.parcel", _PT_CALL),
            # a valuation's notes: v.note("key", …) adds valuation.note.<key>
            (ROOT / "gep" / "trading" / "valuation.py", "valuation.note", _NOTE_CALL)]

# keys looked up by a computed name (f"status_{…}", f"unit.{…}", f"level.{…}", "role_" + …) or chosen by an
# expression (text("missing" if … else "absent", lang)), which the scan of literal arguments does not see
_COMPUTED = ["missing", "absent", "status_computed", "status_skipped", "status_not_applicable", "status_verified",
             "status_case-study", "status_unverified", "status_observed", "status_derived", "status_estimated",
             "level.county", "level.township", "level.village", "unit.m3", "unit.yuan", "unit_token.yuan",
             "unit_token.visit",
             # column heads of the trace pages' coefficient table
             *(f"trace.{k}" for k in ("coefficient", "meaning", "value", "unit", "price_year", "source", "clause",
                                      "status", "register")),
             *(f"valuation.{k}" for k in ("yes", "no", "true", "false", "figure", "value", "status", "source",
                                          "land_area", "forest_area", "already_sold")),
             # the valuation report's water cases and rules, term statuses, column heads and closing paragraphs
             *(f"valuation.case.{k}" for k in ("improved", "worse", "unchanged", "fails_class")),
             *(f"valuation.rule.{k}" for k in RULE_CHOICES),
             *(f"valuation.status_{k}" for k in valuation.TERM_STATUSES),
             *(f"valuation.col.{k}" for columns in valuation.TABLE_COLUMNS.values() for k in columns),
             *(f"valuation.method.{k}" for k in valuation.METHOD_NOTES),
             # the statement: phrases chosen by an expression, and its rows, items, names and columns by key
             *(f"statement.{k}" for k in ("met", "not_met", "yes", "no")),
             *(f"statement.row.{k}" for k in statement.VALUE_ROWS),
             *(f"statement.physical_row.{k}" for k in statement.PHYSICAL_ROWS),
             *(f"statement.cause.{k}" for k in CAUSES),
             *(f"statement.liability.{k}" for k in LIABILITY_METHODS),
             *(f"statement.account.{k}" for k in statement.ACCOUNT_NAMES),
             *(f"statement.account_item.{k}" for k in statement.ACCOUNT_ITEMS),
             *(f"statement.condition_indicator.{k}" for k in statement.CONDITION_INDICATORS),
             *(f"statement.head.{k}" for k in (*statement.CONDITION_COLUMNS, *statement.LIABILITY_COLUMNS,
                                                *statement.SENSITIVITY_COLUMNS, *statement.SENSITIVITY_SHEET_COLUMNS)),
             # the formula workbook: a column head by the column's key (its category columns are catalogue
             # labels), the paragraphs of its About sheet
             *(f"formulas.{k}" for k in (*formulas.CALC_COLUMNS, *formulas.INPUT_COLUMNS, *formulas.COEFFICIENT_COLUMNS,
                                         *(c for c in formulas.SUMMARY_COLUMNS if c not in formulas.CATEGORIES))),
             *(f"formulas.about.{k}" for k in formulas.ABOUT_LINES),
             # the catalogue's labels of valuation methods and ecosystem groups (gep.catalogue.label)
             *(f"label.method.{k}" for k in VALUATION_METHODS),
             *(f"label.group.{k}" for k in ECOSYSTEM_GROUPS),
             # every coefficient key the engine uses, by its label (gep.coefficients.key_label)
             *(f"coefficient.{k}" for k in CANONICAL_UNITS),
             # the intermediate symbols of traces and gep explain (gep.figure_text.symbol_label)
             *(f"symbol.{k}" for k in STEP_SYMBOLS), "symbol.price",
             *(f"method_argument.{k}" for k in LABELLED_ARGUMENTS),
             # the headings of gep explain's parts
             *(f"explain.{heading}" for _, heading in explain.SECTIONS),
             # why two services counted in GEP overlap, in a run's notes
             *(f"double_count.{one}.{other}" for one, other in DOUBLE_COUNT_WATCH)]


def _placeholders(phrase: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(phrase) if field is not None}


def _used_keys() -> dict[str, str]:
    """Each key looked up by a literal → where (the first file that uses it)."""
    used: dict[str, str] = {}
    for path in sorted((ROOT / "gep").rglob("*.py")):
        for m in _CODE_CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(m.group(2), str(path.relative_to(ROOT)))
    for path, prefix, call in PREFIXED:
        for m in call.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(f"{prefix}.{m.group(2)}", str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "templates").glob("*.j2")):
        for m in _TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(m.group(2), str(path.relative_to(ROOT)))
    return used


def _problems(catalogue: dict) -> list[str]:
    """What is wrong with a catalogue: a key without both languages, an empty phrase, placeholders that differ."""
    problems = []
    for key, entry in catalogue.items():
        if not isinstance(entry, dict) or set(entry) != set(LANGS):
            problems.append(f"{key}: needs exactly zh and en, has {sorted(entry) if isinstance(entry, dict) else entry!r}")
        elif not all(isinstance(entry[lang], str) and entry[lang] for lang in LANGS):
            problems.append(f"{key}: an empty phrase")
        elif _placeholders(entry["zh"]) != _placeholders(entry["en"]):
            problems.append(f"{key}: placeholders differ, zh {sorted(_placeholders(entry['zh']))} "
                            f"en {sorted(_placeholders(entry['en']))}")
    return problems


def test_every_phrase_has_zh_and_en_with_the_same_placeholders():
    assert _problems(phrases()) == []


def test_a_phrase_missing_in_one_language_or_with_other_placeholders_is_caught():
    catalogue = {key: dict(entry) for key, entry in phrases().items()}  # a copy: the cached catalogue stays whole
    del catalogue["generated_by"]["en"]
    catalogue["mismatch"]["en"] = "{year}: value accounts total differs"
    catalogue["yes"]["zh"] = ""
    assert sorted(_problems(catalogue)) == [
        "generated_by: needs exactly zh and en, has ['zh']",
        "mismatch: placeholders differ, zh ['summary', 'table', 'year'] en ['year']",
        "yes: an empty phrase"]


def test_the_scan_finds_the_lookups_of_code_and_templates():
    used = _used_keys()
    assert used["growth_method"].startswith("gep/")  # text("growth_method", lang) in gep/render/excel.py
    assert any(where.startswith("templates/") for where in used.values())
    assert used["trace.value_wan"] == "gep/render/trace_page.py"  # _t("value_wan", lang)
    assert used["valuation.feasible"] == "gep/render/valuation.py"  # _row("feasible", …)
    assert used["statement.workbook_title"] == "gep/render/statement.py"  # _t("workbook_title", lang, …)
    assert used["formulas.about.capacity"] == "gep/render/formulas.py"  # _t("about.capacity", lang)
    assert used["parcels.too_many"] == "gep/render/excel.py"  # text("parcels.too_many", lang)
    assert used["explain.detail_hint"] == "gep/explain.py"  # _t("detail_hint", lang)
    assert used["explain.parcel.inherited"] == "gep/explain.py"  # _pt("inherited", lang)
    assert used["statement.note.water_account"] == "gep/assets/statement.py"  # bilingual("statement.note.…")
    assert used["valuation.note.water_rules"] == "gep/trading/valuation.py"  # v.note("water_rules", …)
    assert used["valuation.sale.keeps_target"] == "gep/trading/coverage.py"  # bilingual("valuation.sale.…", …)
    assert len(used) > 50


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_gep_looks_up_is_in_the_catalogue(lang):
    catalogue = phrases()
    missing = {key: where for key, where in {**_used_keys(), **dict.fromkeys(_COMPUTED, "computed")}.items()
               if key not in catalogue}
    assert missing == {}
    assert all(text(key, lang) for key in _used_keys())


def test_placeholders_stay_str_format_fields():
    assert text("generated_by", "zh").format(version="1.2") == "由 gep 1.2 生成"
    # the English report title names no region: its placeholder writes nothing
    assert text("report_title", "en").format(region="城口县") == "Gross ecosystem product (GEP) account"
    assert text("report_title", "zh").format(region="城口县") == "城口县 生态系统生产总值（GEP）核算报告"
    assert text("missing_cases", "en").format(cases=3, inputs="x") == \
        "3 region-year-ecosystem case(s) not computed, missing x"


def test_the_statement_names_each_row_of_the_monetary_account():
    # the asset account's rows are gep.assets.monetary.ACCOUNT_ROWS; the statement names each by its phrase
    assert set(ACCOUNT_ROWS) <= set(statement.VALUE_ROWS)


def test_the_statement_names_each_cause_as_the_cause_vocabulary_does():
    # the cause codes and their Chinese names are gep.assets.physical.CAUSES; the statement shows the catalogue's
    # phrase, which must not drift from it
    assert {c: text(f"statement.cause.{c}", "zh") for c in CAUSES} == {c: entry[0] for c, entry in CAUSES.items()}


def test_every_method_and_group_of_the_catalogue_has_its_label():
    # label("method" / "group", key) names a key of these tuples by the catalogue's phrase and any other as
    # written: a method or group added to services.yaml or inventory.yaml must join them
    assert {entry["method"] for entry in services_spec()["services"].values()} <= set(VALUATION_METHODS)
    assert {entry["group"] for entry in vocabulary("ecosystem").values()} <= set(ECOSYSTEM_GROUPS)


_CJK = re.compile(r"[\u4e00-\u9fff]")  # Chinese characters (not the full-width punctuation a format may pick)
_LATIN = re.compile(r"[A-Za-z]{3}")


def _literal(node) -> str | None:
    """The literal text of a string constant or f-string (its fixed parts), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def _pairs_in_code(package: Path) -> list[str]:
    """Where gep's Python holds a phrase in both languages: a 2-tuple of a Chinese and an English literal, a call
    given the two (``note("中文", "English")``), a {"zh": …, "en": …} dict whose zh is Chinese text, a choice
    ``"中文" if lang == "zh" else "English"``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            texts: tuple = ()
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                texts = tuple(_literal(e) for e in node.elts)
            elif isinstance(node, ast.Call) and len(node.args) == 2:
                texts = tuple(_literal(e) for e in node.args)
            elif isinstance(node, ast.Dict):
                by_key = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
                if "zh" in by_key and "en" in by_key:
                    texts = (_literal(by_key["zh"]), _literal(by_key["en"]))
            elif isinstance(node, ast.IfExp) and "lang" in ast.unparse(node.test) and "zh" in ast.unparse(node.test):
                texts = (_literal(node.body), _literal(node.orelse))
            if len(texts) == 2 and None not in texts:
                zh, en = texts if _CJK.search(texts[0]) else texts[::-1]
                if _CJK.search(zh) and _LATIN.search(en) and not _CJK.search(en):
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno}: {zh[:20]!r} / {en[:20]!r}")
    return found


def test_no_phrase_is_left_in_python_in_two_languages():
    # a phrase shown to people lives in gep/data/phrases.yaml, looked up by key: a (zh, en) pair written in Python
    # would escape the checks above (both languages, the same placeholders)
    assert _pairs_in_code(ROOT / "gep") == []
