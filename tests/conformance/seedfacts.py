"""What is known of the seed, from its text and from the command line of the same binary
(`marginalia outline`, `marginalia check`): the answers over LSP must agree with it."""

from __future__ import annotations

import asyncio
import re
import subprocess
from dataclasses import dataclass

from harness import SEED, server_path

MARKER_LINE = 117  # 0-based: 時聲稱“今天烏克蘭就是明日的東亞”〔1〕。日本
ENTRY_LINE = 885  # 0-based: 〔1〕「ウクライナの窮狀は東アジアでも再現され
NOTE_1_TEXT = "「ウクライナの窮狀は東アジアでも再現され"
MISSING = list(range(5, 18))  # notes cited but without an entry
YOMIURI = "https://www.yomiuri.co.jp/editorial/20230427-OYT1T50263/"

TIMEOUT = 15  # seconds for one answer


def ask(awaitable):
    """An answer from the server, or a failed test after TIMEOUT."""
    return asyncio.wait_for(awaitable, TIMEOUT)


@dataclass
class OutlineItem:
    line: int  # 0-based
    depth: int
    name: str


def outline(path=SEED) -> list[OutlineItem]:
    """`marginalia outline`: `   80  一、…` (1-based line, two spaces of indent a level)."""
    out = subprocess.run([server_path(), "outline", str(path)], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    items = []
    for line in out.splitlines():
        m = re.match(r"^\s*(\d+)  ( *)(.*)$", line)
        assert m, f"unexpected outline line {line!r}"
        items.append(OutlineItem(int(m.group(1)) - 1, len(m.group(2)) // 2, m.group(3)))
    return items


@dataclass
class Problem:
    line: int  # 0-based
    column: int  # 1-based as printed
    severity: str
    code: str
    message: str


def check(path=SEED) -> list[Problem]:
    """`marginalia check`: `file:283:14: error[missing-note]: message`."""
    proc = subprocess.run([server_path(), "check", str(path)], capture_output=True,
                          text=True, timeout=30)
    problems = []
    for line in proc.stdout.splitlines():
        m = re.match(r"^.*?:(\d+):(\d+): (\w+)\[([\w-]+)\]: (.*)$", line)
        if m:
            problems.append(Problem(int(m.group(1)) - 1, int(m.group(2)), m.group(3),
                                    m.group(4), m.group(5)))
    return problems
