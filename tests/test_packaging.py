"""A regular (non-editable) install carries every top-level file gep reads (the design card keeps
coefficients/ and templates/ at the top level; pyproject's data-files install them to share/gep)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_top_level_file_gep_reads_is_installed():
    installed = {f for files in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
                 ["setuptools"]["data-files"].values() for f in files}
    read = set()
    for source in (ROOT / "gep").rglob("*.py"):
        for folder, name in re.findall(r'top_level_file\(\s*"([^"]+)",\s*"([^"]+)"\)', source.read_text(encoding="utf-8")):
            read.add(f"{folder}/{name}")
    assert read, "no top_level_file call found: the pattern of this test is out of date"
    # a folder gep reads (the method profiles) is installed when every file in it is
    read = {f for r in read for f in ([p.relative_to(ROOT).as_posix() for p in sorted((ROOT / r).iterdir())]
                                      if (ROOT / r).is_dir() else [r])}
    assert read <= installed, f"read but not installed: {sorted(read - installed)}"
