"""Diagnostics, pushed (textDocument/publishDiagnostics) to the clients that do not pull and
pulled (textDocument/diagnostic) by any; the settings asked with workspace/configuration."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsprotocol import types

from harness import ConformanceClient, check_ranges
from seedfacts import MISSING, ask, check
from textdoc import UTF32, TextDoc

ERROR, WARNING, INFO, HINT = (types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning,
                              types.DiagnosticSeverity.Information,
                              types.DiagnosticSeverity.Hint)
SEED_PROBLEMS = 66  # 13 missing notes, 3 typography warnings, 50 PDF scars


def pulls(client: ConformanceClient) -> bool:
    return client.supports("text_document.diagnostic", None) is not None


async def published(client: ConformanceClient, uri: str, want, timeout: float = 10.0):
    """The diagnostics last published for `uri` once `want(diagnostics)` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = client.diagnostics.get(uri)
        if found is not None and want(found):
            return list(found)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no publishDiagnostics as wanted for {uri} in {timeout} s; last: "
                         f"{len(client.diagnostics.get(uri) or [])} diagnostics")


async def pull(client: ConformanceClient, doc: TextDoc, previous: str | None = None):
    return await ask(client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri),
        identifier=client.init_result.capabilities.diagnostic_provider.identifier,
        previous_result_id=previous)))


async def pulled_until(client, doc, want, timeout: float = 10.0):
    """Pulls until `want(items)` holds (the form checks of a large document run apart)."""
    deadline = time.monotonic() + timeout
    while True:
        report = await pull(client, doc)
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport), report
        if want(report.items) or time.monotonic() > deadline:
            return report
        await asyncio.sleep(0.1)


def check_seed_diagnostics(client: ConformanceClient, doc: TextDoc, diagnostics) -> None:
    """The seed's 66 problems, as `marginalia check` lists them, in the negotiated encoding."""
    check_ranges(doc, client.encoding, [d.range for d in diagnostics])
    by_severity = {s: [d for d in diagnostics if d.severity == s]
                   for s in (ERROR, WARNING, INFO, HINT)}
    errors = by_severity[ERROR]
    assert len(errors) == 13, [(d.code, d.range.start) for d in errors]
    assert len(by_severity[WARNING]) == 3
    assert len(by_severity[HINT]) == 50
    assert all(d.code == "missing-note" for d in errors)
    errors.sort(key=lambda d: (d.range.start.line, d.range.start.character))
    assert [doc.slice(d.range, client.encoding) for d in errors] == [f"〔{n}〕" for n in MISSING]
    # The same problems as the command line, at the same places.
    expected = sorted((p.line, p.column, p.code) for p in check())
    got = []
    for d in diagnostics:
        start = doc.offset(d.range.start, client.encoding)
        column = doc.position(start, UTF32).character + 1
        got.append((d.range.start.line, column, d.code))
    assert sorted(got) == expected
    # Only what the client said it takes.
    caps = "text_document.publish_diagnostics"
    for d in diagnostics:
        assert d.source == "marginalia"
        if d.code_description is not None:
            assert client.supports(f"{caps}.code_description_support")
        if d.related_information is not None:
            assert client.supports(f"{caps}.related_information")
        if d.tags:
            allowed = client.supports(f"{caps}.tag_support.value_set", [])
            assert set(d.tags) <= set(allowed), d.tags


async def test_published_diagnostics(client: ConformanceClient, seed: TextDoc):
    if pulls(client):
        pytest.skip(f"{client.name} pulls diagnostics (textDocument.diagnostic): see the pull test")
    found = await published(client, seed.uri, lambda d: len(d) == SEED_PROBLEMS)
    check_seed_diagnostics(client, seed, found)
    # An entry for 〔5〕 typed at the end: one error fewer, published again.
    end = seed.position(len(seed.text), client.encoding)
    client.replace(seed.uri, types.Range(end, end), "\n\n〔5〕新しい註。\n")
    found = await published(
        client, seed.uri, lambda d: sum(x.severity == ERROR for x in d) == 12)
    assert "〔5〕" not in [seed.slice(d.range, client.encoding) for d in found
                          if d.severity == ERROR]


async def test_pulled_diagnostics(client: ConformanceClient, seed: TextDoc):
    report = await pulled_until(client, seed, lambda items: len(items) == SEED_PROBLEMS)
    assert report.kind == "full"
    check_seed_diagnostics(client, seed, report.items)
    if report.result_id is not None:
        again = await pull(client, seed, report.result_id)
        if isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport):
            assert again.result_id
        else:
            assert isinstance(again, types.RelatedFullDocumentDiagnosticReport)
            assert len(again.items) == SEED_PROBLEMS
    end = seed.position(len(seed.text), client.encoding)
    client.replace(seed.uri, types.Range(end, end), "\n\n〔5〕新しい註。\n")
    report = await pulled_until(
        client, seed, lambda items: sum(d.severity == ERROR for d in items) == 12)
    assert sum(d.severity == ERROR for d in report.items) == 12
    # A document that is not open: an empty report, not an error.
    closed = TextDoc((client.workspace / "closed.txt").as_uri(), "")
    empty = await pull(client, closed)
    assert isinstance(empty, types.RelatedFullDocumentDiagnosticReport) and not empty.items


async def test_settings_asked_with_workspace_configuration(client: ConformanceClient,
                                                           seed: TextDoc):
    if not pulls(client):
        await published(client, seed.uri, lambda d: len(d) == SEED_PROBLEMS)
    client.set_configuration({"checks": {"pdfScars": False}}, section="marginalia")
    # Settings not sent: the server asks for them (if the client takes workspace/configuration).
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    no_scars = lambda items: len(items) == SEED_PROBLEMS - 50  # noqa: E731
    if pulls(client):
        report = await pulled_until(client, seed, no_scars)
        assert no_scars(report.items), len(report.items)
    else:
        await published(client, seed.uri, no_scars)
    assert types.WORKSPACE_CONFIGURATION in client.server_requests
    # Settings sent with the notification: taken as they are; a wrong one is shown.
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"marginalia": {"diagnostics": {"no-such-check": "off"}}}))
    deadline = time.monotonic() + 10
    while not client.messages and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert client.messages, "no window/showMessage for a setting that was not understood"
    assert "no-such-check" in client.messages[0].message
    assert client.messages[0].type == types.MessageType.Warning
    if pulls(client):
        report = await pulled_until(client, seed, lambda items: len(items) == SEED_PROBLEMS)
        assert len(report.items) == SEED_PROBLEMS
    else:
        await published(client, seed.uri, lambda d: len(d) == SEED_PROBLEMS)
