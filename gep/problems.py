"""A problem of an input — file, row, column, what was expected — and the error that lists them.

A leaf module: the inventory reader, its cross-table checks, the grid reader and the monitoring table all report
problems the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from .reading import shown as shown_value


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {shown_value(self.column)}"
        return f"{where}: {shown_value(self.message, MESSAGE_CHARACTERS)}"


MESSAGE_CHARACTERS = 600  # a message longer than this was made from a runaway value; the rest is cut
SHOWN_PER_FILE = 30  # problems listed per file before "… and N more": 10⁵ bad columns are one mistake


def problem_lines(problems: list[Problem], per_file: int | None = SHOWN_PER_FILE) -> list[str]:
    """One line per problem, at most ``per_file`` per file (None: all), then how many more that file has."""
    lines, count = [], {}
    for p in problems:
        count[p.file] = count.get(p.file, 0) + 1
        if per_file is None or count[p.file] <= per_file:
            lines.append(str(p))
    for file, n in count.items():
        if per_file is not None and n > per_file:
            lines.append(f"{file}: … and {n - per_file} more problem(s) in this file (gep validate --all lists "
                         f"every one)")
    return lines


class InventoryError(ValueError):
    """The inventory has problems; ``problems`` lists all of them, the message at most
    :data:`SHOWN_PER_FILE` per file."""

    subject = "the inventory"  # what the problems are in, for the message's first line

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in {self.subject}:\n  " + "\n  ".join(problem_lines(errors)))
