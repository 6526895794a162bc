"""Shared by the security tests: hostile strings, YAML quoting, folder snapshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

# Terminal control sequences a hostile story or save might try to send: colours, clearing the
# screen, setting the window title (OSC), a hyperlink, cursor moves, a bell, C1 controls.
ESCAPES = [
    "\x1b[31m",
    "\x1b[2J\x1b[H",
    "\x1b]0;owned\x07",
    "\x1b]8;;file:///etc/passwd\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[10A",
    "\x07",
    "\x08\x08",
    "\r",
    "\x9b31m",
    "\x85",
    "\x00",
    "\x7f",
]

# Anything the terminal could act on: C0 controls except tab and newline, DEL, and C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def yaml_quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar, control characters written as escapes."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file (bytes) and link (target) under ``root``, by relative path."""
    found: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = f"-> {path.readlink()}"
            elif path.is_file():
                found[rel] = path.read_bytes()
    return found
