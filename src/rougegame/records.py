"""Small value classes written out by hand, and the equality, ``repr`` and hash they share.

``dataclasses`` writes each class's methods as source text and compiles it every time the
module is imported: about half a millisecond a class, which for the thirty-odd classes on the
way to the first screen was a third of the time the game's own modules took to import. Those
classes are written out instead: ``__slots__`` naming the fields in order, and an ``__init__``
taking them in that order. :class:`Record` gives them equality and a ``repr`` from their
fields, :class:`FrozenRecord` also a hash, and refuses attribute assignment after ``__init__``
(which sets its fields through :func:`object.__setattr__`, as a frozen dataclass does); it
pickles and copies as a call of the class with its fields.

A record class names its own fields in ``__slots__`` and does not subclass another record.
"""

from __future__ import annotations

from typing import Any, ClassVar


class FrozenError(AttributeError):
    """Assigning to a field of a frozen record."""


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a record class, in order."""
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


class Record:
    """Equality and ``repr`` from the fields named in ``__slots__``."""

    __slots__: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    # Defining __eq__ alone leaves a class unhashable, as a mutable dataclass is.
    __hash__: ClassVar[None]  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__qualname__}({fields})"


class FrozenRecord(Record):
    """A record whose fields are set once, in ``__init__``; it hashes by its fields."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values())

    def __reduce__(self) -> tuple[type[FrozenRecord], tuple[Any, ...]]:
        # Pickled and copied as a call with its fields: the generic way would assign them.
        return self.__class__, self._values()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}")
