"""The validation book (docs/validation.md): every reproduction within the tolerance the book states, and
the committed book the one the code writes. Sources and tolerances are in each case's record
(src/domesim/book/); the book prints them."""

from __future__ import annotations

from pathlib import Path

import pytest

from domesim import book

book.load()
BOOK = Path(__file__).resolve().parents[2] / "docs" / "validation.md"


@pytest.mark.slow
@pytest.mark.parametrize("name", book.REPRODUCTIONS.names())
def test_reproduction_within_stated_tolerance(name: str) -> None:
    comparison = book.compare(name)
    case = comparison.case
    assert comparison.within, (
        f"{case.title}: domesim {comparison.computed.value:,.4g} {case.unit} against published "
        f"{case.published_text} ({comparison.difference_text()}, tolerance {case.tolerance_text()})"
    )


def test_every_reproduction_is_in_a_registered_chapter_and_says_why() -> None:
    chapters = set(book.CHAPTERS.names())
    for case in book.REPRODUCTIONS:
        assert case.chapter in chapters, case.name
        assert case.source and case.explanation.strip() and case.published_inputs, case.name
        assert case.tolerance > 0 or case.in_band, case.name


@pytest.mark.slow
def test_committed_book_is_the_one_the_code_writes() -> None:
    assert BOOK.read_text() == book.render(), "docs/validation.md is stale: run `make validate`"


def test_a_case_outside_its_tolerance_is_reported() -> None:
    case = book.Reproduction(
        name="test/outside",
        chapter="test",
        title="t",
        source="s",
        published_inputs="i",
        published=100.0,
        published_text="100 km",
        unit="km",
        compute=lambda: book.Computed(111.0),
        tolerance=0.1,
        explanation="e",
    )
    assert not book.Comparison(case, case.compute()).within
    assert book.Comparison(case, book.Computed(109.0)).within
