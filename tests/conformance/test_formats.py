"""Content formats: a client that reads only plain text (hover.contentFormat and
completionItem.documentationFormat without markdown) must not be sent markdown. The three
captured clients all take markdown for hovers, so this one is made from VS Code's capabilities
with markdown taken out."""

from __future__ import annotations

import copy

from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import start
from harness import SEED, ConformanceClient
from seedfacts import MARKER_LINE, NOTE_1_TEXT, ask


def plaintext_only() -> types.ClientCapabilities:
    capabilities = copy.deepcopy(client_capabilities("visual-studio-code"))
    capabilities.text_document.hover.content_format = [types.MarkupKind.PlainText]
    item = capabilities.text_document.completion.completion_item
    item.documentation_format = [types.MarkupKind.PlainText]
    return capabilities


async def test_hover_in_plain_text(bare: ConformanceClient, tmp_path):
    await start(bare, "visual-studio-code", tmp_path / "workspace", plaintext_only())
    doc = bare.open((bare.workspace / "seed.txt").as_uri(), SEED.read_text(encoding="utf-8"))
    hover = await ask(bare.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri),
        position=doc.pos("〔1〕", MARKER_LINE, bare.encoding, 1))))
    assert hover is not None
    contents = hover.contents
    if isinstance(contents, types.MarkupContent):
        assert contents.kind == types.MarkupKind.PlainText, \
            f"hover in {contents.kind.value} to a client that reads only plaintext"
        text = contents.value
    else:
        text = contents if isinstance(contents, str) else str(contents)
    assert NOTE_1_TEXT in text


async def test_completion_documentation_in_plain_text(bare: ConformanceClient, tmp_path):
    # pytest-lsp's own check fails a markdown documentation for this client.
    await start(bare, "visual-studio-code", tmp_path / "workspace", plaintext_only())
    doc = bare.open((bare.workspace / "seed.txt").as_uri(), SEED.read_text(encoding="utf-8"))
    result = await ask(bare.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri),
        position=doc.pos("〔1〕", MARKER_LINE, bare.encoding, 1))))
    resolved = await ask(bare.completion_item_resolve_async(result.items[0]))
    documentation = resolved.documentation
    assert documentation is not None
    text = documentation if isinstance(documentation, str) else documentation.value
    assert NOTE_1_TEXT in text
