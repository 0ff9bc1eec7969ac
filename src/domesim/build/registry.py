"""Registries of component kinds: one per kind of component, each kind registered once by its name.

A kind (a threat family, a sensor family, an interceptor class, a constellation payload) is a record
that says everything the rest of domesim needs of it: its scenario block, how to build it from the
catalogue, its compiled entry point, its random stream. The scenario schema, the builder and the engine
iterate a registry instead of dispatching on strings, so a new kind is one new module that registers
itself, plus its catalogue entries (``docs/design.md``, "How to add a kind").
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar


class Kind(Protocol):
    """What every registered kind has: its name, and the catalogue ``family`` values it builds."""

    @property
    def name(self) -> str: ...

    @property
    def catalogue_families(self) -> tuple[str, ...]: ...


K = TypeVar("K", bound=Kind)


class Registry(Generic[K]):
    """Kinds of one component type, iterated by their ``order``, then in registration order."""

    def __init__(self, what: str):
        self.what = what
        self._kinds: dict[str, K] = {}
        self.version = 0  # bumped on every change: models built from the registry are rebuilt

    def register(self, kind: K) -> K:
        """Add ``kind``; a second kind of the same name, or one claiming a taken catalogue family, fails."""
        if kind.name in self._kinds:
            raise ValueError(f"{self.what} {kind.name!r} is registered twice")
        taken = {f: k.name for k in self._kinds.values() for f in k.catalogue_families}
        for family in kind.catalogue_families:
            if family in taken:
                raise ValueError(
                    f"{self.what} {kind.name!r}: catalogue family {family!r} is already built by "
                    f"{taken[family]!r}"
                )
        self._kinds[kind.name] = kind
        self.version += 1
        return kind

    def unregister(self, name: str) -> None:
        del self._kinds[name]
        self.version += 1

    @contextmanager
    def registered(self, kind: K) -> Iterator[K]:
        """``kind`` registered for the duration of a ``with`` block (tests, notebooks)."""
        self.register(kind)
        try:
            yield kind
        finally:
            self.unregister(kind.name)

    def __iter__(self) -> Iterator[K]:
        # by each kind's ``order`` (kinds without one come first), then in registration order: the
        # order is part of the results (it is the engine's object axis, and the kill draws follow it)
        return iter(sorted(self._kinds.values(), key=lambda kind: getattr(kind, "order", 0)))

    def __len__(self) -> int:
        return len(self._kinds)

    def __getitem__(self, name: str) -> K:
        try:
            return self._kinds[name]
        except KeyError:
            raise KeyError(f"no {self.what} {name!r}; registered: {', '.join(self._kinds)}") from None

    def names(self) -> list[str]:
        return [kind.name for kind in self]

    def for_family(self, family: object) -> K | None:
        """The kind that builds catalogue entries of ``family`` (None: no registered kind does)."""
        for kind in self:
            if family in kind.catalogue_families:
                return kind
        return None

    def families(self) -> list[str]:
        """Every catalogue family some registered kind builds."""
        return [f for kind in self for f in kind.catalogue_families]


def import_submodules(package: str) -> None:
    """Import every module of ``package``: each registers its kind when imported, so dropping a module
    into the package is all it takes to add one."""
    module = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package}.{info.name}")
