"""The documentation generated from the declarative catalogues is the committed one."""
from gep.docs import inventory_format_markdown

from conftest import REPO


def test_inventory_format_page_matches_the_spec():
    committed = (REPO / "docs" / "inventory-format.md").read_text(encoding="utf-8")
    assert committed == inventory_format_markdown(), "run: python -m gep.docs > docs/inventory-format.md"


def test_readme_quick_start_has_exactly_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
