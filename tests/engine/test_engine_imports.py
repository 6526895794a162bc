"""Only rougegame.ui may import Textual: the engine, the story code and the tools run without it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import rougegame

# Walks the package without importing anything under ui/ (pkgutil.walk_packages would import
# every package to look inside it), imports every other module, and reports what got loaded.
SCRIPT = """
import importlib, json, os, pkgutil, sys
import rougegame

def walk(path, prefix):
    for info in pkgutil.iter_modules(path, prefix):
        if info.name.startswith("rougegame.ui") or info.name == "rougegame.__main__":
            continue
        yield info.name
        if info.ispkg:
            yield from walk([os.path.join(path[0], info.name.rsplit(".", 1)[1])], info.name + ".")

names = list(walk(rougegame.__path__, "rougegame."))
for name in names:
    importlib.import_module(name)
print(json.dumps({
    "imported": names,
    "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")),
}))
"""


def modules_outside_ui() -> set[str]:
    root = Path(rougegame.__file__).parent
    names = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[0] == "ui" or parts == ("__main__",):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            names.add(".".join(("rougegame", *parts)))
    return names


def test_nothing_outside_ui_imports_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["textual"] == []
    assert set(report["imported"]) == modules_outside_ui()
    assert {"rougegame.cli", "rougegame.engine.game", "rougegame.story.loader"} <= set(
        report["imported"]
    )
