"""Method profiles: the formula choices of an account, declared in data.

The official GEP methods leave choices open, or could not be read in full (GB/T 46869-2025, MEE 2020,
NDRC 2022, Chongqing 2023): which days water surfaces cool the air, whether their cooling is divided by
the air conditioner's efficiency, which price values hydropower, whether a service is counted in GEP …
A **profile** (``coefficients/methods/NAME.yaml``) chooses one option of every choice the catalogue
``gep/data/methods.yaml`` declares, each with its source and the status of that evidence (seen /
recalled / derived). ``gep run --method NAME|FILE`` picks one (default: ``default``); the calculators
read the options through :class:`Method`; manifests, reports, traces and ``gep diff`` name the profile
and every choice that differs from the default.

A profile file may ``extends:`` another profile by name and restate only the choices it changes.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
import yaml

from .catalogue import services_spec, top_level_file
from .phrases import text
from .reading import ReadError, load_yaml, shown

DEFAULT_METHOD = "default"
METHODS_DIR = top_level_file("coefficients", "methods")
STATUSES = ("seen", "recalled", "derived")

_ENTRY = {
    "type": "object", "required": ["option", "status", "source"],
    "properties": {"option": {"type": "string"}, "status": {"enum": list(STATUSES)},
                   "source": {"type": "string", "minLength": 1}, "note": {"type": "string"},
                   "reason": {"type": "object", "required": ["zh", "en"],
                              "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}}},
    "additionalProperties": False,
}
#: JSON schema of a profile file; the options are checked against the catalogue after it
SCHEMA = {
    "type": "object", "required": ["name", "zh", "en"],
    "properties": {"name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"}, "zh": {"type": "string"},
                   "en": {"type": "string"}, "extends": {"type": "string"},
                   "choices": {"type": "object", "additionalProperties": _ENTRY},
                   "in_gep": {"type": "object", "additionalProperties": _ENTRY}},
    "additionalProperties": False,
}
_CATALOGUE_SCHEMA = {
    "type": "object", "required": ["choices", "in_gep", "statuses"],
    "properties": {"choices": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["zh", "en", "options"],
        "properties": {"options": {"type": "object", "minProperties": 2, "additionalProperties": {
            "type": "object", "required": ["zh", "en"]}}}}}},
}


class MethodError(ValueError):
    """A method profile cannot be found or does not fit the catalogue; the message says what to fix."""


@functools.cache
def catalogue() -> dict:
    """The formula choices a profile makes (gep/data/methods.yaml), validated."""
    spec = yaml.safe_load((resources.files("gep") / "data" / "methods.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(spec, _CATALOGUE_SCHEMA)
    return spec


@dataclass(frozen=True)
class Choice:
    """One choice of a profile: the option taken and the evidence for it."""

    choice: str  # e.g. climate_regulation.water_surface_divisor, or pest_control.in_gep
    option: str
    status: str
    source: str
    note: str = ""
    reason: dict = field(default_factory=dict, hash=False, compare=False)  # zh/en, for information_only

    def label(self, lang: str = "zh") -> str:
        """The choice and its option, in words."""
        spec = _choice_spec(self.choice)
        return f"{spec[lang]}{text('colon', lang)}{spec['options'][self.option][lang]}"


def _choice_spec(choice: str) -> dict:
    if choice.endswith(".in_gep"):
        service = choice[: -len(".in_gep")]
        entry = services_spec()["services"][service]
        spec = catalogue()["in_gep"]
        return {**spec, "zh": f"{entry['zh']}{spec['zh']}", "en": f"{entry['en']}: {spec['en'].lower()}"}
    return catalogue()["choices"][choice]


@dataclass(frozen=True)
class Method:
    """A validated profile: every choice of the catalogue with its option, and where it was read from."""

    name: str
    zh: str
    en: str
    choices: dict[str, Choice]
    files: tuple[Path, ...]  # the profile file, then the profiles it extends

    def option(self, choice: str) -> str:
        """The option of ``choice`` (``service.in_gep`` for the GEP membership of a service)."""
        if choice.endswith(".in_gep") and choice not in self.choices:
            return "counted"
        return self.choices[choice].option

    def keys(self, choice: str) -> dict[str, str]:
        """The register keys the option of ``choice`` values with (role → key), e.g. ``{"price": …}``."""
        return dict(_choice_spec(choice)["options"][self.option(choice)].get("keys") or {})

    def price_key(self, service: str, indicator: str) -> str | None:
        """The register key that prices an indicator under this profile: the key of the option a price-basis
        choice takes for it, else the indicator's price in the service catalogue."""
        for name, spec in catalogue()["choices"].items():
            role = (spec.get("prices") or {}).get(f"{service}/{indicator}")
            if role:
                return self.keys(name)[role]
        return services_spec()["services"][service]["indicators"][indicator].get("price")

    def counted(self, service: str) -> bool:
        return self.option(f"{service}.in_gep") == "counted"

    def information_only(self) -> list[Choice]:
        """The services the profile computes for information only, with their reasons."""
        return [c for c in self.choices.values() if c.choice.endswith(".in_gep") and c.option != "counted"]

    def title(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def differences(self, other: Method) -> list[tuple[Choice | None, Choice | None]]:
        """(this profile's choice, other's) for every choice whose option differs, in catalogue order."""
        names = list(dict.fromkeys([*self.choices, *other.choices]))
        return [(self.choices.get(n), other.choices.get(n)) for n in names
                if self.option(n) != other.option(n)]

    def digest(self) -> str:
        """SHA-256 over the profile files in order (for manifests)."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(Path(f).read_bytes())
        return h.hexdigest()

    def rows(self, lang: str = "zh", against: Method | None = None) -> list[dict]:
        """One row per choice for reports: choice, option, status, source, note, and whether it differs
        from ``against`` (default: the default profile)."""
        against = against if against is not None else (None if self.name == DEFAULT_METHOD else default_method())
        statuses = catalogue()["statuses"]
        out = []
        for c in self.choices.values():
            spec = _choice_spec(c.choice)
            differs = against is not None and against.option(c.choice) != c.option
            out.append({"choice": c.choice, "label": spec[lang], "option": c.option,
                        "option_label": spec["options"][c.option][lang], "status": c.status,
                        "status_label": statuses[c.status][lang], "source": c.source, "note": c.note,
                        "differs": differs})
        return out


def method_path(name_or_path: str | Path | None) -> Path:
    """The profile file of a name (``coefficients/methods/NAME.yaml``) or a path to a file."""
    text = str(name_or_path or DEFAULT_METHOD)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise MethodError(f"method profile {path} not found")
        return path
    named = METHODS_DIR / f"{text}.yaml"
    if not named.is_file():
        known = ", ".join(sorted(p.stem for p in METHODS_DIR.glob("*.yaml")))
        raise MethodError(f"unknown method profile '{text}': give one of {known}, or a profile file (.yaml)")
    return named


#: what ``extends:`` may name: a profile of coefficients/methods/ by name, or a profile file (.yaml) — not any file,
#: whose contents a message would otherwise quote (``extends: ../../../etc/passwd``)
_EXTENDS = re.compile(r"[A-Za-z0-9_.-]+|.+\.ya?ml", re.IGNORECASE)


def _read(path: Path) -> dict:
    try:
        data = load_yaml(path)
    except ReadError as exc:
        raise MethodError(f"not a readable YAML profile: {exc}") from None
    if not isinstance(data, dict):  # said without quoting the file: it may be anything but a profile
        raise MethodError(f"{path}: not a method profile: a profile is a mapping of keys (name, zh, en, extends, "
                          f"choices, in_gep), not {type(data).__name__}")
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path) or "(top)"
        # jsonschema quotes the value whole (a 500-character option, an unexpected key): cut, as every message is
        raise MethodError(f"{path}, {shown(where, 120)}: {shown(exc.message, 200)}") from None
    if "extends" in data and not _EXTENDS.fullmatch(data["extends"]):
        raise MethodError(f"{path}, extends: '{shown(data['extends'], 200)}' is neither a profile name (e.g. "
                          f"{DEFAULT_METHOD}) nor a profile file (.yaml)")
    return data


def load_method(name_or_path: str | Path | None = None, base_dir: Path | None = None) -> Method:
    """A profile by name or file, with the profiles it extends applied first, checked against the catalogue.

    ``base_dir`` is where the names of extended profiles are looked up first (a run folder's copies)."""
    path = method_path(name_or_path)
    data, files, seen = _read(path), [path], {path.resolve()}
    layers = [data]
    while "extends" in layers[-1]:
        parent_name = layers[-1]["extends"]
        parent = (base_dir / f"{parent_name}.yaml") if base_dir and (base_dir / f"{parent_name}.yaml").is_file() \
            else method_path(parent_name)
        if parent.resolve() in seen:
            raise MethodError(f"{path}: profiles extend each other in a circle ({parent_name})")
        seen.add(parent.resolve())
        files.append(parent)
        layers.append(_read(parent))
    entries: dict[str, dict] = {}
    for layer in reversed(layers):
        for section, suffix in (("choices", ""), ("in_gep", ".in_gep")):
            for key, entry in (layer.get(section) or {}).items():
                entries[f"{key}{suffix}"] = entry
    problems = []
    services = services_spec()["services"]
    for key, entry in entries.items():
        if key.endswith(".in_gep"):
            service = key[: -len(".in_gep")]
            if service not in services:
                problems.append(f"in_gep.{shown(service)}: unknown service; known: {', '.join(services)}")
                continue
            if entry["option"] != "counted" and "reason" not in entry:
                problems.append(f"in_gep.{service}: a service computed for information needs a reason (zh, en)")
        elif key not in catalogue()["choices"]:
            problems.append(f"choices.{shown(key)}: unknown choice; known: {', '.join(catalogue()['choices'])}")
            continue
        options = _choice_spec(key)["options"]
        if entry["option"] not in options:
            problems.append(f"{key}: option '{shown(entry['option'])}' is not one of {', '.join(options)}")
    missing = [c for c in catalogue()["choices"] if c not in entries]
    if missing:
        problems.append(f"no option chosen for {', '.join(missing)} (or extends: {DEFAULT_METHOD})")
    if problems:
        raise MethodError(f"method profile {path}:\n  " + "\n  ".join(problems))
    order = [*catalogue()["choices"], *(k for k in entries if k.endswith(".in_gep"))]
    choices = {k: Choice(k, entries[k]["option"], entries[k]["status"], entries[k]["source"].strip(),
                         (entries[k].get("note") or "").strip(), dict(entries[k].get("reason") or {}))
               for k in order}
    return Method(name=layers[0]["name"], zh=layers[0]["zh"], en=layers[0]["en"], choices=choices,
                  files=tuple(files))


def as_method(method: str | Path | Method | None) -> Method:
    """A profile given by name, file or already loaded (None: the default profile)."""
    return method if isinstance(method, Method) else load_method(method)


@functools.cache
def default_method() -> Method:
    return load_method(DEFAULT_METHOD)
