"""Exception classes. Messages say what is wrong, where (file, key, line) and what to do.

The CLI turns every :class:`DomesimError` into one clear message and exit status 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class DomesimError(Exception):
    """Base class of every error domesim reports to a user."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what is expected."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.message}"


class ScenarioError(DomesimError):
    """An input file (scenario, sweep, catalogue) is invalid; holds one :class:`Problem` per fault."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple:
        # raised in a worker process: rebuilt from its problems, not from the joined message
        return (type(self), (self.problems,))


class TargetingError(DomesimError):
    """No launch solution reaches the aim point with the threat class's performance."""


class ParameterError(DomesimError):
    """A parameter given to a function or command is out of its valid range."""
