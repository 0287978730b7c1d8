"""Errors the user can act on: the CLI prints them and exits 2, the app shows them in an error box."""

from __future__ import annotations

from dataclasses import dataclass


class InputError(Exception):
    """Bad input or arguments: a one-paragraph message that says what is wrong and what was expected."""


@dataclass(frozen=True)
class Problem:
    """One broken rule of the input tables."""

    file: str
    column: str | None
    rows: int
    example: str | None
    expected: str

    def message(self) -> str:
        where = f"{self.file}" + (f", column '{self.column}'" if self.column else "")
        example = f"; example: {self.example}" if self.example is not None else ""
        rows = f"{self.rows:,} row{'s' if self.rows != 1 else ''}"
        return f"{where}: {rows}{example}; expected {self.expected}."


class DataError(InputError):
    """The data set breaks one or more input rules."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        body = self.problems_text()
        super().__init__(
            f"The data has {len(problems)} problem{'s' if len(problems) != 1 else ''}: {body} "
            "Fix the file(s) or re-import them with `python -m retention import`."
        )

    def problems_text(self) -> str:
        return " ".join(p.message() for p in self.problems)
