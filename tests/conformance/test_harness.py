"""The checks of the harness can fail: a server that breaks the LSP (fake_server.py, one
scenario at a time) is caught, whether by lsprotocol itself (a message it cannot structure:
pytest-lsp then fails the pending request and stops the server) or by the harness's round
trip (what lsprotocol would silently drop or accept). These clients are made by the tests, not
by the fixtures, so their violations are asserted here rather than failing the test."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from harness import ConformanceClient, make_client
from seedfacts import ask

FAKE = str(Path(__file__).with_name("fake_server.py"))


async def session(scenario: str) -> ConformanceClient:
    client = make_client()
    await client.start_io(sys.executable, FAKE, scenario)
    await ask(client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim"))))
    return client


async def hover(client: ConformanceClient):
    return await ask(client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri="file:///x.txt"),
        position=types.Position(0, 0))))


async def finish(client: ConformanceClient):
    try:
        await asyncio.wait_for(client.shutdown_session(), 5)
    finally:
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
        await asyncio.wait_for(client.stop(), 5)


async def test_a_good_server_passes():
    client = await session("good")
    try:
        result = await hover(client)
        assert result.contents.value == "fine"
        await asyncio.sleep(0.1)
        assert client.violations == []
    finally:
        await finish(client)


@pytest.mark.parametrize("scenario, expected", [
    ("unknown-field", "result.rnage: not a field"),
    ("explicit-null", "result.range: explicit null"),
    # lsprotocol's hook for the union passes the number through as it is.
    ("wrong-type", "$.result.contents: 42 is none of"),
])
async def test_what_lsprotocol_lets_through_is_caught(scenario, expected):
    client = await session(scenario)
    try:
        await hover(client)  # lsprotocol structures it...
        assert client.violations, "...but the round trip must see what it lost"
        assert expected in client.violations[0], client.violations
    finally:
        await finish(client)


@pytest.mark.parametrize("scenario", ["missing-field"])
async def test_what_lsprotocol_rejects_fails_the_request(scenario):
    client = await session(scenario)
    try:
        with pytest.raises(RuntimeError, match="JsonRpc"):
            await hover(client)
        assert client.error is not None, "pytest-lsp marks the session broken"
        assert any("lsprotocol rejected" in v for v in client.violations), client.violations
    finally:
        await finish(client)


@pytest.mark.parametrize("scenario, expected", [
    ("bad-notification", "textDocument/publishDiagnostics"),
    ("bad-apply-edit", "workspace/applyEdit"),
    ("undeclared-request", "workspace.diagnostics.refresh_support"),
])
async def test_bad_messages_from_the_server_are_caught(scenario, expected):
    client = await session(scenario)
    try:
        for _ in range(100):
            if client.violations:
                break
            await asyncio.sleep(0.02)
        assert any(expected in v for v in client.violations), client.violations
    finally:
        await finish(client)
