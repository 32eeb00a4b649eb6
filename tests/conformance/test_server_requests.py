"""What the server asks of the client, and its life cycle: progress while it reads the
workspace (window/workDoneProgress/create, $/progress), the watcher it registers
(client/registerCapability, only with clients that allow it), and shutdown/exit. Each of these
messages is held to the LSP types by the harness; pytest-lsp checks that the client declared
window.workDoneProgress and workspace.configuration, the harness the rest."""

from __future__ import annotations

import asyncio
import time

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from conftest import start
from harness import SEED, ConformanceClient
from seedfacts import ask
from test_diagnostics import pulled_until


async def wait_for(condition, timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_progress_while_reading_the_workspace(client: ConformanceClient):
    if not client.supports("window.work_done_progress"):
        return  # nothing may be sent: the harness would have failed the test
    reports = client.progress_reports

    def ended():
        return any(r and isinstance(r[-1], types.WorkDoneProgressEnd) for r in reports.values())

    await wait_for(ended, what="the end of the workspace's progress")
    assert types.WINDOW_WORK_DONE_PROGRESS_CREATE in client.server_requests
    (token, values), = [(t, r) for t, r in reports.items() if r]
    assert isinstance(values[0], types.WorkDoneProgressBegin) and values[0].title
    assert all(isinstance(v, types.WorkDoneProgressReport) for v in values[1:-1])
    percentages = [v.percentage for v in values[:-1] if v.percentage is not None]
    assert percentages == sorted(percentages) and all(0 <= p <= 100 for p in percentages)


async def test_watched_files(client: ConformanceClient):
    """The server registers a watcher for the workspace's text files when the client allows
    dynamic registration (VS Code, Emacs), and not otherwise (Neovim 0.11's capture); a file
    the client reports created is then searched by workspace/symbol."""
    allowed = client.supports("workspace.did_change_watched_files.dynamic_registration")
    if allowed:
        await wait_for(lambda: client.registrations, what="client/registerCapability")
        (registration,) = client.registrations
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        globs = [w["globPattern"] for w in registration.register_options["watchers"]]
        assert "**/*.txt" in globs
    else:
        await asyncio.sleep(0.3)
        assert not client.registrations
    new = client.workspace / "new.txt"
    new.write_text("一、新しく作った文書\n\n本文。\n", encoding="utf-8")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)]))
    found = []
    deadline = time.monotonic() + 10
    while not found and time.monotonic() < deadline:
        found = await ask(client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="新しく作った")))
        await asyncio.sleep(0.05)
    assert [s.location.uri for s in found] == [new.as_uri()]
    # Deleted: forgotten.
    new.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Deleted)]))
    deadline = time.monotonic() + 10
    while found and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        found = await ask(client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="新しく作った")))
    assert not found


async def test_shutdown_and_exit(client: ConformanceClient):
    await ask(client.shutdown_async(None))
    client.exit(None)
    code = await ask(client._server.wait())
    client.exited = True
    assert code == 0, f"the server exited with {code} after shutdown and exit"


async def test_no_workspace_folder_and_initialization_options(bare: ConformanceClient,
                                                              tmp_path):
    """A lone file (rootUri and workspaceFolders null): nothing to read, so no progress and no
    watcher; the settings come as initializationOptions, a wrong one shown once initialized."""
    options = {"checks": {"pdfScars": False}, "diagnostics": {"no-such-check": "off"}}
    await start(bare, "visual-studio-code", tmp_path / "workspace", folder=False,
                options=options)
    doc = bare.open((bare.workspace / "seed.txt").as_uri(), SEED.read_text(encoding="utf-8"))
    report = await pulled_until(bare, doc, lambda items: len(items) == 16)
    assert len(report.items) == 16, "pdfScars off: the 13 errors and 3 warnings only"
    await wait_for(lambda: bare.messages, what="window/showMessage")
    assert "no-such-check" in bare.messages[0].message
    symbols = await ask(bare.workspace_symbol_async(types.WorkspaceSymbolParams(query="結語")))
    assert [s.location.uri for s in symbols] == [doc.uri]
    assert not bare.registrations and not bare.progress_reports
    assert set(bare.server_requests) <= {types.WORKSPACE_CONFIGURATION}


async def test_cancelled_requests_are_still_answered(client: ConformanceClient, seed):
    """$/cancelRequest: the request is still answered (its result, or RequestCancelled)."""
    d = types.TextDocumentIdentifier(uri=seed.uri)
    futures = []
    for i in range(6):
        msg_id = f"cancelled-{i}"
        params = types.SemanticTokensParams(text_document=d) if i % 2 else \
            types.WorkspaceSymbolParams(query="")
        method = (types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL if i % 2 else types.WORKSPACE_SYMBOL)
        futures.append(client.protocol.send_request_async(method, params, msg_id=msg_id))
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    for future in futures:
        try:
            await ask(future)
        except JsonRpcException as error:
            assert error.code == -32800, f"{error.code}: {error.message}"  # RequestCancelled
