"""The client's copy of a document: LSP positions in each encoding, and edits applied the way
an editor applies them, refusing what the spec does not allow (a position past the end of a
line, one inside a character, overlapping edits)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from lsprotocol import types

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32

_LINE_END = re.compile(r"\r\n|\r|\n")


def units(char: str, encoding: str) -> int:
    """How many code units of `encoding` the character takes."""
    if encoding == UTF8:
        return len(char.encode("utf-8"))
    if encoding == UTF16:
        return 2 if ord(char) > 0xFFFF else 1
    if encoding == UTF32:
        return 1
    raise ValueError(f"unknown position encoding {encoding!r}")


def width(text: str, encoding: str) -> int:
    """The length of `text` in code units of `encoding`."""
    return sum(units(c, encoding) for c in text)


class BadPosition(AssertionError):
    """A position the server sent that is not in the document, or not on a character
    boundary of the negotiated encoding."""


@dataclass
class TextDoc:
    uri: str
    text: str
    version: int = 1

    def _index(self) -> tuple[tuple[str, ...], list[int]]:
        """The lines and where each starts, made again only when the text changed."""
        cached = self.__dict__.get("_cached")
        if cached is None or cached[0] is not self.text:
            starts = [0]
            starts.extend(m.end() for m in _LINE_END.finditer(self.text))
            cached = (self.text, tuple(_LINE_END.split(self.text)), starts)
            self.__dict__["_cached"] = cached
        return cached[1], cached[2]

    def lines(self) -> tuple[str, ...]:
        """The lines, without their ends (LSP counts \\n, \\r\\n and \\r as line ends)."""
        return self._index()[0]

    def line_starts(self) -> list[int]:
        return self._index()[1]

    def offset(self, position: types.Position, encoding: str) -> int:
        """The string index of an LSP position; `BadPosition` if it is not a valid one."""
        lines = self.lines()
        starts = self.line_starts()
        if position.line == len(lines) and position.character == 0:
            return len(self.text)  # the end of the document, as some clients address it
        if position.line >= len(lines):
            raise BadPosition(f"{_fmt(position)}: line past the end ({len(lines)} lines)")
        line = lines[position.line]
        counted = 0
        for index, char in enumerate(line):
            if counted == position.character:
                return starts[position.line] + index
            counted += units(char, encoding)
            if counted > position.character:
                raise BadPosition(
                    f"{_fmt(position)}: inside the character {char!r} ({encoding})"
                )
        if counted == position.character:
            return starts[position.line] + len(line)
        raise BadPosition(
            f"{_fmt(position)}: past the end of line {position.line}, which is "
            f"{counted} {encoding} units long"
        )

    def position(self, offset: int, encoding: str) -> types.Position:
        """The LSP position of a string index."""
        starts = self.line_starts()
        line = bisect.bisect_right(starts, offset) - 1
        return types.Position(line, width(self.text[starts[line] : offset], encoding))

    def find(self, needle: str, line: int | None = None, start: int = 0) -> int:
        """The string index of `needle` (on `line` if given, 0-based)."""
        if line is not None:
            start = self.line_starts()[line]
        found = self.text.find(needle, start)
        if found < 0 or (line is not None and self.position(found, UTF32).line != line):
            raise LookupError(f"{needle!r} not found" + (f" on line {line}" if line else ""))
        return found

    def pos(self, needle: str, line: int | None = None, encoding: str = UTF16, after: int = 0):
        """The LSP position `after` characters into the first `needle` (on `line`)."""
        return self.position(self.find(needle, line) + after, encoding)

    def slice(self, range_: types.Range, encoding: str) -> str:
        start = self.offset(range_.start, encoding)
        end = self.offset(range_.end, encoding)
        if end < start:
            raise BadPosition(f"range {_fmt_range(range_)} ends before it starts")
        return self.text[start:end]

    def check_range(self, range_: types.Range, encoding: str) -> None:
        self.slice(range_, encoding)

    def applied(self, edits, encoding: str) -> str:
        """The text after `edits` (TextEdits), which must not overlap (spec: "text edits
        ranges must never overlap"). Edits at the same place are applied in their order."""
        spans = []
        for order, edit in enumerate(edits):
            start = self.offset(edit.range.start, encoding)
            end = self.offset(edit.range.end, encoding)
            if end < start:
                raise BadPosition(f"edit range {_fmt_range(edit.range)} ends before it starts")
            spans.append((start, end, order, edit.new_text))
        spans.sort()
        for (s1, e1, _, _), (s2, e2, _, _) in zip(spans, spans[1:]):
            if s2 < e1:
                raise AssertionError(f"overlapping text edits: [{s1},{e1}) and [{s2},{e2})")
        out, last = [], 0
        for start, end, _, new_text in spans:
            out.append(self.text[last:start])
            out.append(new_text)
            last = end
        out.append(self.text[last:])
        return "".join(out)


def _fmt(position: types.Position) -> str:
    return f"{position.line}:{position.character}"


def _fmt_range(range_: types.Range) -> str:
    return f"{_fmt(range_.start)}-{_fmt(range_.end)}"
