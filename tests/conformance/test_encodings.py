"""Positions in the negotiated encoding.

The seed has no character outside the Basic Multilingual Plane, so UTF-16 and UTF-32 agree on
it (UTF-8 does not: the 〔1〕 of line 117 is at 17 in UTF-16, 51 in UTF-8). Here the seed gets
two such characters (𠮷 and 𩸽, two UTF-16 units and four UTF-8 bytes each) before the 〔1〕
marker, inside a heading, and before a URL, so that each encoding puts them elsewhere; each
answer must then fall on the right text, computed from the text in the encoding negotiated.
Beside the three captured clients, clients offering each encoding alone (and none) are tried.
"""

from __future__ import annotations

import copy

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import start
from harness import SEED, ConformanceClient, check_ranges
from seedfacts import ENTRY_LINE, MARKER_LINE, NOTE_1_TEXT, YOMIURI, ask
from test_diagnostics import pulled_until
from test_navigation import locations
from textdoc import UTF8, UTF16, UTF32, TextDoc

WIDE = "𠮷𩸽"
HEADING_LINE = 79  # 一、戰略性接近的內外動因
YOMIURI_LINE = 907  # 読買新聞、2022 年４月 28 日、https://www.yomiuri.


def wide_seed_text() -> str:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[MARKER_LINE] = WIDE + lines[MARKER_LINE]
    lines[HEADING_LINE] = lines[HEADING_LINE].replace("一、", "一、" + WIDE, 1)
    lines[YOMIURI_LINE] = WIDE + lines[YOMIURI_LINE]
    return "\n".join(lines)


def open_wide(client: ConformanceClient) -> TextDoc:
    path = client.workspace / "wide.txt"
    text = wide_seed_text()
    path.write_text(text, encoding="utf-8")
    return client.open(path.as_uri(), text)


async def check_positions(client: ConformanceClient, doc: TextDoc) -> None:
    enc = client.encoding
    d = types.TextDocumentIdentifier(uri=doc.uri)
    columns = {e: doc.pos("〔1〕", MARKER_LINE, e).character for e in (UTF8, UTF16, UTF32)}
    assert len(set(columns.values())) == 3, columns  # the text tells the encodings apart
    on_digit = doc.pos("〔1〕", MARKER_LINE, enc, 1)

    found = locations(await ask(client.text_document_definition_async(
        types.DefinitionParams(text_document=d, position=on_digit))))
    assert len(found) == 1 and found[0][1].start.line == ENTRY_LINE
    assert doc.slice(found[0][1], enc) == "〔1〕"

    hover = await ask(client.text_document_hover_async(
        types.HoverParams(text_document=d, position=on_digit)))
    assert hover is not None and NOTE_1_TEXT in hover.contents.value
    assert hover.range is None or doc.slice(hover.range, enc) == "〔1〕"

    references = await ask(client.text_document_references_async(types.ReferenceParams(
        text_document=d, position=on_digit,
        context=types.ReferenceContext(include_declaration=True))))
    assert sorted(doc.slice(r.range, enc) for r in references) == ["〔1〕", "〔1〕"]

    symbols = await ask(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=d)))
    heading = symbols[0]
    assert WIDE in heading.name
    assert doc.slice(heading.selection_range, enc) == heading.name

    links = await ask(client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=d)))
    yomiuri = [link for link in links if link.target == YOMIURI]
    assert yomiuri
    assert "".join(doc.slice(yomiuri[0].range, enc).split()) == YOMIURI

    report = await pulled_until(client, doc, lambda items: len(items) == 66)
    check_ranges(doc, enc, [item.range for item in report.items])
    errors = [item for item in report.items if item.severity == types.DiagnosticSeverity.Error]
    assert len(errors) == 13
    assert all(doc.slice(e.range, enc).startswith("〔") for e in errors)

    # An edit after the wide characters, in the same encoding: typed just after 〔1〕.
    after = doc.pos("〔1〕", MARKER_LINE, enc, 3)
    client.replace(doc.uri, types.Range(after, after), "〔2〕")
    found = locations(await ask(client.text_document_definition_async(types.DefinitionParams(
        text_document=d, position=doc.pos("〔1〕〔2〕", MARKER_LINE, enc, 4)))))
    assert found and doc.lines()[found[0][1].start.line].startswith("〔2〕")


async def test_positions_in_the_negotiated_encoding(client: ConformanceClient):
    await check_positions(client, open_wide(client))


@pytest.mark.parametrize("offered", [[UTF32], [UTF16], [UTF8], [], None, [UTF32, UTF16],
                                     [UTF16, UTF32, UTF8]],
                         ids=["utf-32", "utf-16", "utf-8", "empty", "none", "utf-32,utf-16",
                              "utf-16,utf-32,utf-8"])
async def test_offered_encodings(bare: ConformanceClient, tmp_path, offered):
    capabilities = copy.deepcopy(client_capabilities("visual-studio-code"))
    capabilities.general = types.GeneralClientCapabilities(position_encodings=offered)
    result = await start(bare, "visual-studio-code", tmp_path / "workspace", capabilities)
    negotiated = result.capabilities.position_encoding
    if offered:
        assert negotiated in offered
    else:
        assert negotiated in (None, UTF16), "UTF-16 for a client that offers nothing else"
    await check_positions(bare, open_wide(bare))


# Characters that Unicode calls line breaks but LSP does not: form feed (common in text taken
# from PDFs), vertical tab, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR.
NOT_LINE_ENDS = "\x0c\x0b\u0085\u2028\u2029"


def with_odd_characters(text: str) -> str:
    lines = text.split("\n")
    lines[10] += NOT_LINE_ENDS
    lines[MARKER_LINE] = NOT_LINE_ENDS + lines[MARKER_LINE]
    return "\n".join(lines)


@pytest.mark.parametrize("eol, odd", [("\n", False), ("\r\n", False), ("\r", False),
                                      ("\n", True)],
                         ids=["lf", "crlf", "cr", "unicode-breaks-that-are-not-lsp-line-ends"])
async def test_line_endings(client: ConformanceClient, eol: str, odd: bool):
    """LSP counts \\n, \\r\\n and \\r as line ends, and nothing else; a position's character
    never reaches into one: the seed with each gives the same lines and the same places."""
    text = SEED.read_text(encoding="utf-8")
    text = (with_odd_characters(text) if odd else text).replace("\n", eol)
    path = client.workspace / "eol.txt"
    path.write_bytes(text.encode("utf-8"))
    doc = client.open(path.as_uri(), text)
    enc = client.encoding
    d = types.TextDocumentIdentifier(uri=doc.uri)
    on_digit = doc.pos("〔1〕", MARKER_LINE, enc, 1)
    found = locations(await ask(client.text_document_definition_async(
        types.DefinitionParams(text_document=d, position=on_digit))))
    assert len(found) == 1 and found[0][1].start.line == ENTRY_LINE
    assert doc.slice(found[0][1], enc) == "〔1〕"
    links = await ask(client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=d)))
    assert len(links) == 4
    for link in links:
        assert "".join(doc.slice(link.range, enc).split()) == link.target
    symbols = await ask(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=d)))
    assert [s.selection_range.start.line for s in symbols] == [79, 355, 542, 661, 840, 883]
    for symbol in symbols:
        end = doc.slice(symbol.range, enc)
        assert not end.endswith("\r"), "a range that ends between \\r and \\n"
    report = await pulled_until(client, doc, lambda items: len(items) == 66)
    check_ranges(doc, enc, [item.range for item in report.items])
    errors = [item for item in report.items if item.severity == types.DiagnosticSeverity.Error]
    assert sorted(doc.slice(e.range, enc) for e in errors) == sorted(
        f"〔{n}〕" for n in range(5, 18))
