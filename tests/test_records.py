"""Records: equality, ``repr`` and hash from their fields; frozen ones refuse changes; and the
classes on the way to the first screen are records, not dataclasses (which compile their methods
at every start)."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys

import pytest

from rougegame.engine.game import GameState
from rougegame.records import FrozenError, FrozenRecord, Record, field_names
from rougegame.story import safepickle
from rougegame.story.model import Chapter, Variable, location
from rougegame.story.problems import Location, Problem


class Point(Record):
    __slots__ = ("y", "x")  # noqa: RUF023 - the fields, in order

    y: int
    x: object

    def __init__(self, y: int, x: object = None) -> None:
        self.y = y
        self.x = x


class Spot(Record):
    __slots__ = ("y", "x")  # noqa: RUF023 - the fields, in order

    y: int
    x: object

    def __init__(self, y: int, x: object = None) -> None:
        self.y = y
        self.x = x


class Pin(FrozenRecord):
    __slots__ = ("y", "x")  # noqa: RUF023 - the fields, in order

    y: int
    x: object

    def __init__(self, y: int, x: object = None) -> None:
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "x", x)


class One(Record):
    __slots__ = "only"

    only: int


def test_records_are_equal_when_their_class_and_fields_are() -> None:
    assert Point(1, "a") == Point(1, "a")
    assert Point(1, "a") != Point(1, "b")
    assert Point(1, "a") != Point(2, "a")
    assert Point(1, "a") != Spot(1, "a")  # the same fields in another class
    assert Spot(1, "a") != Point(1, "a")
    assert Point(1) != (1, None)
    assert Pin(1, [2]) == Pin(1, [2])
    assert Pin(1, [2]) != Pin(1, [3])


def test_repr_names_the_class_and_each_field_in_order() -> None:
    assert repr(Point(1, "a")) == "Point(y=1, x='a')"
    assert repr(Pin(2, Point(3))) == "Pin(y=2, x=Point(y=3, x=None))"
    assert repr(location("a.yaml", 3, 4)) == "Location(file='a.yaml', line=3, column=4)"


def test_frozen_records_hash_by_their_fields() -> None:
    assert hash(Pin(1, "a")) == hash(Pin(1, "a"))
    assert hash(Pin(1, "a")) == hash((1, "a"))
    assert len({Pin(1, "a"), Pin(1, "a"), Pin(1, "b")}) == 2
    with pytest.raises(TypeError):
        hash(Pin(1, [2]))  # a field that cannot be hashed


def test_frozen_records_refuse_assignment_and_deletion() -> None:
    pin = Pin(1, "a")
    with pytest.raises(FrozenError):
        pin.y = 2  # type: ignore[misc]
    with pytest.raises(FrozenError):
        del pin.x  # type: ignore[misc]
    with pytest.raises(AttributeError):  # a FrozenError is an AttributeError
        pin.z = 3  # type: ignore[attr-defined]
    assert (pin.y, pin.x) == (1, "a")
    loc = Location("a.yaml", 1, 2)
    with pytest.raises(FrozenError):
        loc.line = 5  # type: ignore[misc]
    problem = Problem("bad")
    with pytest.raises(FrozenError):
        problem.message = "fine"  # type: ignore[misc]


def test_mutable_records_cannot_be_hashed_and_take_no_other_attributes() -> None:
    with pytest.raises(TypeError):
        hash(Point(1))
    point = Point(1)
    point.x = 2
    assert point == Point(1, 2)
    with pytest.raises(AttributeError):
        point.z = 3  # type: ignore[attr-defined]


def test_field_names_are_a_class_own_slots_in_order() -> None:
    assert field_names(Point) == ("y", "x")
    assert field_names(One) == ("only",)
    assert field_names(Record) == ()
    assert field_names(Location) == ("file", "line", "column")
    assert field_names(Variable) == ("name", "initial", "minimum", "maximum", "label", "loc")
    assert field_names(GameState)[:2] == ("node", "vars")


def test_defaults_are_fresh_for_each_record() -> None:
    a, b = GameState("x.start", {}), GameState("x.start", {})
    a.visits["x.start"] = 1
    a.path.append(("x.start", 0))
    assert b.visits == {} and b.path == [] and b.once == set()
    loc = Location("a.yaml")
    assert (
        Chapter("a", "A", "a.yaml", [], loc).problems
        is not Chapter("a", "A", "a.yaml", [], loc).problems
    )


def test_problems_still_keep_terminal_controls_out() -> None:
    problem = Problem("bad \x1b[31m", hint="try \x07")
    assert "\x1b" not in problem.message and "\x07" not in (problem.hint or "")
    assert problem == Problem(problem.message, hint=problem.hint)


def test_model_records_pickle_and_copy() -> None:
    loc = location("a.yaml", 2, 3)
    chapter = Chapter(
        "a",
        "A",
        "a.yaml",
        ["a.start"],
        loc,
        {"trust": Variable("trust", 1, 0, 5, "Trust", loc)},
        problems=[Problem("odd", loc, "a.start", "a hint", "warning", "odd")],
    )
    again = safepickle.loads(pickle.dumps(chapter, pickle.HIGHEST_PROTOCOL))
    assert again == chapter and again is not chapter
    assert pickle.loads(pickle.dumps(Problem("x", Location("b.yaml", 1, 1)))) == Problem(
        "x", Location("b.yaml", 1, 1)
    )
    assert copy.deepcopy(loc) == loc
    state = GameState("a.start", {"trust": 1}, {"a.start": 1})
    assert copy.copy(state) == state


# The modules a player's start goes through: the command line, the app and its screens, loading
# a story, the game, the session.
PLAY_PATH = (
    "rougegame.cli",
    "rougegame.ui.app",
    "rougegame.ui.session",
    "rougegame.ui.screens.title",
    "rougegame.ui.screens.story",
    "rougegame.story.loader",
    "rougegame.engine.game",
    "rougegame.engine.saves",
    "rougegame.engine.profile",
)

_FIND_DATACLASSES = """
import dataclasses, importlib, json, sys

for name in sys.argv[1:]:
    importlib.import_module(name)
checked, found = [], []
for name, module in sorted(sys.modules.items()):
    if name != "rougegame" and not name.startswith("rougegame."):
        continue
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == name:
            checked.append(f"{name}.{value.__qualname__}")
            if dataclasses.is_dataclass(value):
                found.append(f"{name}.{value.__qualname__}")
print(json.dumps({"checked": checked, "found": found}))
"""


def dataclasses_imported_with(*modules: str) -> tuple[list[str], list[str]]:
    """The classes of the game's modules that importing ``modules`` loads, and the dataclasses."""
    run = subprocess.run(
        [sys.executable, "-c", _FIND_DATACLASSES, *modules],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(run.stdout)
    return result["checked"], result["found"]


def test_no_dataclass_on_the_way_to_the_first_screen() -> None:
    checked, found = dataclasses_imported_with(*PLAY_PATH)
    assert found == []
    for record in (
        "rougegame.story.model.Node",
        "rougegame.story.problems.Problem",
        "rougegame.engine.game.Passage",
        "rougegame.ui.session.Outcome",
        "rougegame.ui.keys.GameKey",
    ):
        assert record in checked


def test_the_dataclass_check_finds_dataclasses() -> None:
    # The tools are not on the way to the first screen, and keep their dataclasses.
    _checked, found = dataclasses_imported_with("rougegame.tools.report")
    assert "rougegame.tools.report.Report" in found


def test_any_frozen_record_pickles_and_copies_as_a_call_with_its_fields() -> None:
    import copy
    import pickle

    from rougegame.ui.keys import STORY_KEYS

    key = STORY_KEYS[0]  # a frozen record with no pickling of its own
    assert "__reduce__" not in type(key).__dict__
    assert pickle.loads(pickle.dumps(key)) == key
    assert copy.deepcopy(key) == key and copy.copy(key) == key
