"""A large document: the paths the server takes only for big messages (a didOpen of more than
1 MB read by its own transport, a change with a long text, diagnostics written by hand and
sent in pieces once there are a thousand, capped at maxProblems) must still speak the LSP.

The document is the seed's body forty times over (1.1 MB), then its notes: `marginalia check`
finds 520 missing-note errors, 120 warnings and 1,688 hints."""

from __future__ import annotations

import asyncio
import time

from lsprotocol import types

from harness import SEED, ConformanceClient, check_ranges
from seedfacts import ask, check
from test_diagnostics import ERROR, pulls
from test_editing import errors_of
from textdoc import TextDoc

COPIES = 40
MAX_PROBLEMS = 1000  # the server's default maxProblems


def large_text() -> str:
    seed = SEED.read_text(encoding="utf-8")
    notes = seed.index("註釋：")
    return seed[:notes] * COPIES + seed[notes:]


async def diagnostics_of(client: ConformanceClient, doc: TextDoc, want, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        if pulls(client):
            report = await ask(client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=doc.uri))))
            items = list(report.items)
        else:
            items = list(client.diagnostics.get(doc.uri) or [])
        if want(items) or time.monotonic() > deadline:
            return items
        await asyncio.sleep(0.1)


async def test_a_large_document(client: ConformanceClient, tmp_path):
    text = large_text()
    assert len(text.encode("utf-8")) > 1 << 20
    path = client.workspace / "large.txt"
    path.write_text(text, encoding="utf-8")
    expected = sorted((p.line, p.code) for p in check(path) if p.severity == "error")
    assert len(expected) == 13 * COPIES
    doc = client.open(path.as_uri(), text)
    enc = client.encoding
    d = types.TextDocumentIdentifier(uri=doc.uri)

    # All 520 errors, once the form checks (run apart for a large document) are in, and at
    # most maxProblems in all (of each kind of form problem the server sends 50 and one that
    # says more follow).
    problems = check(path)
    items = await diagnostics_of(
        client, doc, lambda items: {i.code for i in items} >= {p.code for p in problems})
    assert {i.code for i in items} == {p.code for p in problems}
    assert len(items) <= MAX_PROBLEMS + 1, len(items)
    check_ranges(doc, enc, [item.range for item in items])
    assert errors_of(items) == expected
    assert all(doc.slice(i.range, enc).startswith("〔") for i in items if i.severity == ERROR)

    symbols = await ask(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=d)))
    assert len(symbols) == 5 * COPIES + 1
    for symbol in symbols:
        check_ranges(doc, enc, [symbol.range, symbol.selection_range])
    folds = await ask(client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=d)))
    assert len(folds) > 5 * COPIES
    links = await ask(client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=d)))
    assert len(links) == 4
    tokens = await ask(client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=d)))
    assert len(tokens.data) % 5 == 0 and len(tokens.data) > 5 * 100 * COPIES

    # A long paste (more than 64 KB of text in one change): another copy of the body, typed
    # before the notes.
    body = text[: text.index("註釋：")]
    paste = body[: len(body) // COPIES]
    at = doc.position(text.index("註釋："), enc)
    client.replace(doc.uri, types.Range(at, at), paste)
    path.write_text(doc.text, encoding="utf-8")
    expected = sorted((p.line, p.code) for p in check(path) if p.severity == "error")
    items = await diagnostics_of(client, doc, lambda items: errors_of(items) == expected)
    assert errors_of(items) == expected
    check_ranges(doc, enc, [item.range for item in items])


def many_missing_text(count: int) -> str:
    seed = SEED.read_text(encoding="utf-8")
    notes = seed.index("註釋：")
    cited = "".join(f"本文〔{n}〕。\n\n" for n in range(18, 18 + count))
    return seed[:notes] + cited + seed[notes:]


async def test_more_problems_than_max_problems(client: ConformanceClient):
    """1,513 errors: the editor gets maxProblems (1,000) and one information that counts the
    rest; with maxProblems 0, all of them (sent in pieces by the server)."""
    path = client.workspace / "many.txt"
    text = many_missing_text(1500)
    path.write_text(text, encoding="utf-8")
    problems = check(path)
    errors = sorted((p.line, p.code) for p in problems if p.severity == "error")
    assert len(errors) == 1513
    doc = client.open(path.as_uri(), text)
    items = await diagnostics_of(client, doc, lambda items: len(items) > MAX_PROBLEMS)
    assert len(items) == MAX_PROBLEMS + 1, len(items)
    check_ranges(doc, client.encoding, [item.range for item in items])
    shown = [i for i in items if i.code != "not-shown"]
    (more,) = [i for i in items if i.code == "not-shown"]
    # The first thousand in the text, and where the rest start, a count of them.
    in_order = sorted(problems, key=lambda p: (p.line, p.column))
    assert sorted((i.range.start.line, i.code) for i in shown) == \
        sorted((p.line, p.code) for p in in_order[:MAX_PROBLEMS])
    assert more.severity == types.DiagnosticSeverity.Information
    assert more.range.start.line == in_order[MAX_PROBLEMS].line
    assert more.message.startswith(f"{len(problems) - MAX_PROBLEMS} more problems")

    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"marginalia": {"maxProblems": 0}}))
    items = await diagnostics_of(client, doc, lambda items: len(errors_of(items)) == 1513)
    assert errors_of(items) == errors
    assert not [i for i in items if i.code == "not-shown"]
    check_ranges(doc, client.encoding, [item.range for item in items])
