"""The validation book: published analyses that domesim reproduces from their stated inputs.

Each reproduction is a :class:`Reproduction` record in :data:`REPRODUCTIONS`, registered by the chapter
modules of this package (one module per chapter, each registering its :class:`Chapter` too): what was
published (the inputs, the result, the source), how domesim computes the same quantity, the tolerance
the comparison is held to, and why the two differ. ``domesim validate-against`` (``make validate``)
writes ``docs/validation.md`` from them (:func:`render`); ``tests/validation/test_book.py`` asserts
every tolerance and that the committed book is the one the code writes.

A reproduction whose domesim value takes the published answer (or a figure derived from it) as an
input is marked ``validates=False``: the book shows it, and says that it checks arithmetic only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from domesim.build.registry import Registry, import_submodules


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """A chapter of the book: a family of published analyses."""

    name: str
    title: str
    intro: str  # what the published analyses are, and how domesim is set up to reproduce them
    order: int
    catalogue_families: tuple[str, ...] = ()


@dataclass(frozen=True)
class Computed:
    """domesim's value of a reproduction, with what a reader needs to follow it (fitted values, ...)."""

    value: float
    detail: str = ""
    band: tuple[float, float] | None = None  # the value's model-uncertainty band, where it has one


@dataclass(frozen=True, kw_only=True)
class Reproduction:
    """One published figure and domesim's value of it.

    ``tolerance`` is relative (a fraction of ``published``) when ``relative``, else absolute in ``unit``;
    the test of the book fails when ``|domesim - published|`` exceeds it. With ``in_band`` the criterion
    is instead that the published figure lies inside the band of domesim's value (:class:`Computed`),
    for results whose model uncertainty domesim computes (the tolerance is then not used).
    """

    name: str  # unique, "<chapter>/<case>"
    chapter: str  # a registered Chapter's name
    title: str
    source: str  # who published it and where; source IDs of data/sources.toml in brackets
    published_inputs: str  # the inputs as the source states them
    published: float
    published_text: str  # the result as the source states it ("more than 13,000 km")
    unit: str
    compute: Callable[[], Computed]
    tolerance: float
    explanation: str  # why domesim's value differs from the published one
    relative: bool = True
    validates: bool = True  # False: domesim takes the published answer as an input (arithmetic check)
    in_band: bool = False  # the criterion: the published figure inside domesim's band
    order: int = 0
    catalogue_families: tuple[str, ...] = ()

    def tolerance_text(self) -> str:
        if self.in_band:
            return "published inside domesim's band"
        if self.relative:
            return f"{self.tolerance:.0%}"
        unit = ("point" if self.tolerance == 1 else "points") if self.unit == "%" else self.unit
        return f"{self.tolerance:g} {unit}"


CHAPTERS: Registry[Chapter] = Registry("book chapter")
REPRODUCTIONS: Registry[Reproduction] = Registry("reproduction")


@dataclass(frozen=True)
class Comparison:
    """A reproduction, domesim's value and whether it is within the stated tolerance."""

    case: Reproduction
    computed: Computed

    @property
    def difference(self) -> float:
        return self.computed.value - self.case.published

    @property
    def relative_difference(self) -> float:
        return self.difference / self.case.published if self.case.published else float("nan")

    @property
    def within(self) -> bool:
        if self.case.in_band:
            band = self.computed.band
            return band is not None and band[0] <= self.case.published <= band[1]
        error = abs(self.relative_difference if self.case.relative else self.difference)
        return error <= self.case.tolerance

    def difference_text(self) -> str:
        if self.case.relative:
            return f"{self.relative_difference:+.1%}"
        unit = "points" if self.case.unit == "%" else self.case.unit
        return f"{self.difference:+,.3g} {unit}"


def load() -> None:
    """Register every chapter (importing a chapter module registers its chapter and reproductions)."""
    import_submodules(__name__)


@functools.cache
def compare(name: str) -> Comparison:
    """Compute one reproduction (once per process: the test of each case and the book share it)."""
    load()
    case = REPRODUCTIONS[name]
    return Comparison(case, case.compute())


def _number(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{text} {unit}"


def render() -> str:
    """The book as Markdown: a summary table, then each chapter with every case's inputs and explanation."""
    load()
    chapters = list(CHAPTERS)
    by_chapter = {c.name: [r for r in REPRODUCTIONS if r.chapter == c.name] for c in chapters}
    results = {r.name: compare(r.name) for cases in by_chapter.values() for r in cases}
    lines = [
        "# Validation book",
        "",
        "Written by `domesim validate-against --out docs/validation.md` (`make validate`); do not edit by",
        "hand. Every published analysis below is reproduced from the inputs its source states; the tests",
        "(`tests/validation/test_book.py`) assert each tolerance and that this file is the one the code",
        "writes, so a change that breaks a reproduction, or that changes a figure here, fails CI.",
        "",
        "A case marked *arithmetic* takes the published answer, or a figure derived from it, as one of its",
        "inputs: it checks that domesim applies the published method correctly, it does not validate the",
        "model.",
        "",
        "| case | published | domesim | difference | tolerance | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for chapter in chapters:
        for case in by_chapter[chapter.name]:
            c = results[case.name]
            status = "within" if c.within else "**outside**"
            kind = "" if case.validates else " (arithmetic)"
            lines.append(
                f"| [{case.title}](#{_anchor(case.title)}){kind} | {case.published_text} | "
                f"{_number(c.computed.value, case.unit)} | {c.difference_text()} | "
                f"{case.tolerance_text()} | {status} |"
            )
    for chapter in chapters:
        lines += ["", f"## {chapter.title}", "", chapter.intro.strip()]
        for case in by_chapter[chapter.name]:
            c = results[case.name]
            lines += [
                "",
                f"### {case.title}",
                "",
                f"- **Source:** {case.source}",
                f"- **Published inputs:** {case.published_inputs}",
                f"- **Published result:** {case.published_text}",
                f"- **domesim:** {_number(c.computed.value, case.unit)}"
                + (
                    f", band {_number(c.computed.band[0], '')}to {_number(c.computed.band[1], case.unit)}"
                    if c.computed.band
                    else ""
                )
                + (f" ({c.computed.detail})" if c.computed.detail else ""),
                f"- **Difference:** {c.difference_text()} (tolerance {case.tolerance_text()})"
                + ("" if case.validates else "; arithmetic only: the published answer is an input"),
                f"- **Why:** {case.explanation.strip()}",
            ]
    return "\n".join(lines) + "\n"


def _anchor(title: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")
