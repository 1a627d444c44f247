"""The catalogue of phrases gep shows to people (gep/data/phrases.yaml): key → {"zh": …, "en": …}, looked up by
:func:`text`. A leaf — it imports only the standard library and yaml — so that every module that writes a phrase
(the catalogue's labels, coefficients, explanations, the asset statement, trading) can look it up without
importing :mod:`gep.render`, which imports them; :mod:`gep.render.phrases` re-exports it."""
from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("zh", "en")  #: the languages of every phrase, in the order results that keep both list them


@functools.cache
def phrases() -> dict[str, dict[str, str]]:
    """The catalogue of phrases, key → {"zh": …, "en": …}, read once from the package's gep/data/phrases.yaml."""
    return yaml.safe_load((resources.files("gep") / "data" / "phrases.yaml").read_text(encoding="utf-8"))


def text(key: str, lang: str = "zh") -> str:
    """Localised heading or phrase of the reports."""
    return phrases()[key][lang]


def bilingual(key: str, **fields: Any) -> dict[str, str]:
    """The phrase ``key`` in every language, {"zh": …, "en": …}, each formatted with ``fields`` — for results
    that keep both languages (a valuation's notes, a sale's reason). A field given as {"zh": …, "en": …} takes
    the value of each language (a name in Chinese for the Chinese phrase, a key for the English one)."""
    return {lang: text(key, lang).format(**{name: value[lang] if isinstance(value, dict) else value
                                            for name, value in fields.items()})
            for lang in LANGUAGES}
