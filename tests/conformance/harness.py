"""The conformance client: pytest-lsp's LanguageClient, with a protocol that holds every
message from the server to the LSP types of lsprotocol, strictly.

pytest-lsp (through pygls) already structures each message into its lsprotocol type: a message
that cannot be structured is a fatal error (pytest-lsp kills the server, fails the pending
requests and the test). But cattrs ignores keys it does not know, so a misspelt field, or a
field in the wrong place, would pass. Here each message is also turned back into JSON from
its lsprotocol value and compared with what the server sent: anything lsprotocol dropped,
changed or would have had to invent is a violation, and a test with violations fails (see
`conftest.py`). An explicit `null` where the LSP type has an optional field that is not
nullable (`field?: T`) is a violation too.

The client also answers the server's requests the way an editor does: it applies
`workspace/applyEdit` to its own copy of the document (refusing malformed edits) and sends
the change back; records registrations, progress and refreshes, and checks that each was
allowed by the capabilities it declared.
"""

from __future__ import annotations

import asyncio
import collections.abc
import copy
import enum
import json
import os
import pathlib
import typing
import uuid
from typing import Any

import attrs

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol

from textdoc import UTF16, BadPosition, TextDoc

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED = REPO / "seeds" / "000_f8c5198825835df1.txt"
CLIENTS = ("visual-studio-code", "neovim", "emacs")


def server_path() -> str:
    return os.environ.get("MARGINALIA_SERVER") or str(REPO / "target" / "release" / "marginalia")


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def differences(sent: Any, again: Any, path: str = "$") -> list[str]:
    """Where `again` (the message after a round trip through lsprotocol) differs from `sent`."""
    found: list[str] = []
    if isinstance(sent, dict) and isinstance(again, dict):
        for key in sent:
            where = f"{path}.{key}"
            if key not in again:
                if sent[key] is None:
                    found.append(f"{where}: explicit null for an optional, non-nullable field")
                else:
                    found.append(f"{where}: not a field of the LSP type (lsprotocol dropped "
                                 f"{_short(sent[key], 120)})")
            else:
                found.extend(differences(sent[key], again[key], where))
        for key in again:
            if key not in sent:
                found.append(f"{path}.{key}: missing (lsprotocol filled in {_short(again[key], 120)})")
    elif isinstance(sent, list) and isinstance(again, list):
        if len(sent) != len(again):
            found.append(f"{path}: {len(sent)} elements sent, {len(again)} after lsprotocol")
        else:
            for i, (a, b) in enumerate(zip(sent, again)):
                found.extend(differences(a, b, f"{path}[{i}]"))
    elif type(sent) is not type(again) or sent != again:
        found.append(f"{path}: sent {_short(sent, 120)}, lsprotocol made it {_short(again, 120)}")
    return found


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:120] + "…"


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(types))
    return _HINTS[cls]


def type_errors(value: Any, tp: Any, path: str) -> list[str]:
    """Where `value`, as lsprotocol structured it, is not of its declared type `tp`.

    lsprotocol's hooks for union-typed fields pass a value they do not recognise through as
    it is (a hover's `contents: 42` stays 42), and cattrs turns what it can into a `str`;
    the round trip alone would not see the first."""
    if isinstance(tp, typing.ForwardRef):
        tp = getattr(types, tp.__forward_arg__, Any)
    if tp is Any or tp is object:
        return []
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union:
        for arm in args:
            if not type_errors(value, arm, path):
                return []
        for arm in args:  # the arm of the value's own class tells what is wrong inside it
            if isinstance(arm, type) and attrs.has(arm) and isinstance(value, arm):
                return type_errors(value, arm, path)
        return [f"{path}: {_brief(value)} is none of {tp}"]
    if tp is type(None):
        return [] if value is None else [f"{path}: {_brief(value)} where null is"]
    if origin is typing.Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if origin in (list, tuple, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            return [f"{path}: {_brief(value)} is not an array"]
        found: list[str] = []
        for i, item in enumerate(value):
            found.extend(type_errors(item, args[0] if args else Any, f"{path}[{i}]"))
        return found
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            return [f"{path}: {_brief(value)} is not an object"]
        found = []
        for key, item in value.items():
            found.extend(type_errors(key, args[0], f"{path} key"))
            found.extend(type_errors(item, args[1], f"{path}.{key}"))
        return found
    if isinstance(tp, type) and attrs.has(tp):
        if not isinstance(value, tp):
            return [f"{path}: {_brief(value)} is not a {tp.__name__}"]
        hints = _hints(tp)
        found = []
        for field in attrs.fields(tp):
            found.extend(type_errors(getattr(value, field.name), hints[field.name],
                                     f"{path}.{field.name}"))
        return found
    if tp is bool:
        ok = type(value) is bool
    elif tp is int:
        ok = type(value) is int or isinstance(value, enum.IntEnum)
    elif tp is float:
        ok = type(value) in (int, float)
    elif tp is str:
        ok = isinstance(value, str)
    elif isinstance(tp, type):
        ok = isinstance(value, tp)
    else:
        return []  # a typing construct this walker does not know: trusted
    return [] if ok else [f"{path}: {_brief(value)} is not a {getattr(tp, '__name__', tp)}"]


class StrictProtocol(LanguageClientProtocol):
    """Checks each message from the server against the LSP types (see the module's doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.violations: list[str] = []
        # Every message, both ways, as JSON: for the reports of violations and for tests.
        self.transcript: list[tuple[str, dict]] = []
        self._methods: dict[Any, str] = {}  # our requests' ids: their methods
        self.server_requests: list[str] = []  # the methods of the server's requests, in order

    # Outgoing ---------------------------------------------------------------------------

    def send_request(self, method, params=None, callback=None, msg_id=None):
        msg_id = msg_id if msg_id is not None else str(uuid.uuid4())
        self._methods[msg_id] = method
        return super().send_request(method, params, callback, msg_id)

    def _send_data(self, data):
        try:
            self.transcript.append(("client", json.loads(json.dumps(self._serialize_message(data)))))
        except Exception:  # noqa: BLE001 - the transcript is only a help
            pass
        return super()._send_data(data)

    # Incoming ---------------------------------------------------------------------------

    def _handle_request(self, msg_id, method_name, params):
        self.server_requests.append(method_name)
        capability = SERVER_REQUEST_NEEDS.get(method_name)
        capabilities = self._server.capabilities
        if capability is not None and capabilities is not None:
            if not get_capability(capabilities, capability, False):
                self.violations.append(
                    f"server request {method_name} to a client that did not declare {capability}")
        return super()._handle_request(msg_id, method_name, params)

    def structure_message(self, data: dict[str, Any]):
        if "jsonrpc" not in data:
            return data  # a nested object: json.loads calls the hook bottom-up
        sent = copy.deepcopy(data)
        self.transcript.append(("server", sent))
        what = self._describe(sent)
        try:
            message = super().structure_message(data)
        except Exception as error:
            cause = error.__cause__ or error
            self.violations.append(
                f"{what}: lsprotocol rejected the message: {type(cause).__name__}: "
                f"{_short(str(cause), 600)}\n    message: {_short(sent, 2000)}"
            )
            raise
        if attrs.has(type(message)):
            wrong = type_errors(message, type(message), "$")
            if wrong:
                self.violations.append(
                    f"{what}: not of the LSP types:\n    " + "\n    ".join(wrong[:20])
                    + f"\n    message: {_short(sent, 2000)}")
        try:
            # Through JSON, as it would be sent: enums become their values.
            again = json.loads(json.dumps(self._converter.unstructure(message)))
        except Exception as error:  # noqa: BLE001
            self.violations.append(f"{what}: could not be turned back into JSON: {error!r}")
            return message
        if not isinstance(again, dict):
            return message
        if "result" in sent or "result" in again:
            # `result: null` is how every request says "nothing"; compare the results only.
            sent_part, again_part, label = sent.get("result"), again.get("result"), "result"
            if "id" in sent and self._methods.get(sent["id"]) is None:
                return message  # an answer to something we did not ask: pygls warns
            if self.get_result_type(self._methods.get(sent["id"], "")) is None:
                return message  # a method lsprotocol has no type for
        elif "params" in sent or "params" in again:
            sent_part, again_part, label = sent.get("params"), again.get("params"), "params"
            if self.get_message_type(sent.get("method", "")) is None:
                self.violations.append(f"{what}: a method that is not in the LSP")
                return message
        else:
            return message
        found = differences(sent_part, again_part, label)
        if found:
            self.violations.append(
                f"{what}: does not match the LSP types:\n    "
                + "\n    ".join(found[:20])
                + f"\n    message: {_short(sent, 2000)}"
            )
        return message

    def _describe(self, sent: dict) -> str:
        if "method" in sent:
            kind = "request" if "id" in sent else "notification"
            return f"server {kind} {sent['method']}"
        method = self._methods.get(sent.get("id"), "?")
        return f"response to {method} (id {sent.get('id')})"


class ConformanceClient(LanguageClient):
    """A client that behaves like an editor with the capabilities it was given."""

    protocol: StrictProtocol

    def __init__(self, *args, **kwargs):
        super().__init__(*args, protocol_cls=StrictProtocol, **kwargs)
        self.name: str = ""
        self.workspace: pathlib.Path | None = None
        self.reported = 0  # violations already reported by a test's call
        self.exited = False  # shut down and exited by the test itself
        self.encoding: str = UTF16
        self.init_result: types.InitializeResult | None = None
        self.documents: dict[str, TextDoc] = {}
        self.applied_edits: list[types.ApplyWorkspaceEditParams] = []
        self.applied = asyncio.Event()
        self.registrations: list[types.Registration] = []
        self.refreshes: list[str] = []

        self.feature(types.WORKSPACE_APPLY_EDIT)(_plain(self._apply_edit))
        self.feature(types.CLIENT_REGISTER_CAPABILITY)(_plain(self._register))
        self.feature(types.CLIENT_UNREGISTER_CAPABILITY)(_plain(self._unregister))
        self.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)(_plain(self._show_message_request))
        for method in REFRESHES:
            self.feature(method)(self._refresh_handler(method))

    @property
    def server_requests(self) -> list[str]:
        return self.protocol.server_requests

    @property
    def violations(self) -> list[str]:
        return self.protocol.violations

    def violation(self, text: str) -> None:
        self.protocol.violations.append(text)

    def supports(self, capability: str, default: Any = False) -> Any:
        return get_capability(self.capabilities, capability, default)

    # Server → client requests ------------------------------------------------------------

    def _apply_edit(self, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        self.applied_edits.append(params)
        try:
            changes = self.edits_of(params.edit)
            for uri, (version, edits) in changes.items():
                self.apply(uri, edits, version)
        except (AssertionError, LookupError) as error:
            self.violation(f"workspace/applyEdit with a malformed edit: {error}")
            self.applied.set()
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason=str(error))
        self.applied.set()
        return types.ApplyWorkspaceEditResult(applied=True)

    def _register(self, params: types.RegistrationParams) -> None:
        for registration in params.registrations:
            self.registrations.append(registration)
            capability = DYNAMIC_REGISTRATION.get(registration.method)
            if capability is None:
                self.violation(f"client/registerCapability for {registration.method!r}, "
                               "which cannot be registered dynamically")
            elif not self.supports(capability):
                self.violation(f"client/registerCapability for {registration.method} but the "
                               f"client did not declare {capability}")
            if registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES:
                try:
                    options = self.protocol._converter.structure(
                        registration.register_options,
                        types.DidChangeWatchedFilesRegistrationOptions,
                    )
                    assert options.watchers, "no watchers"
                except Exception as error:  # noqa: BLE001
                    self.violation(f"didChangeWatchedFiles registration options: {error!r}")

    def _unregister(self, params: types.UnregistrationParams) -> None:
        return None

    def _show_message_request(self, params: types.ShowMessageRequestParams):
        return None

    def _refresh_handler(self, method: str):
        def refresh(params: None) -> None:
            self.refreshes.append(method)

        return refresh

    # The client's documents ----------------------------------------------------------------

    def open(self, uri: str, text: str, language_id: str = "plaintext") -> TextDoc:
        doc = TextDoc(uri, text, 1)
        self.documents[uri] = doc
        self.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)))
        return doc

    def edits_of(self, edit: types.WorkspaceEdit) -> dict[str, tuple[int | None, list]]:
        """A workspace edit's text edits by document, checked against the client's
        capabilities and the documents' versions."""
        out: dict[str, tuple[int | None, list]] = {}
        if edit.document_changes is not None:
            if not self.supports("workspace.workspace_edit.document_changes"):
                raise AssertionError("documentChanges sent to a client that did not declare "
                                     "workspace.workspaceEdit.documentChanges")
            for change in edit.document_changes:
                if not isinstance(change, types.TextDocumentEdit):
                    raise AssertionError(f"a resource operation: {change!r}")
                uri = change.text_document.uri
                doc = self.documents.get(uri)
                if doc is None:
                    raise AssertionError(f"an edit of {uri}, which is not open")
                version = change.text_document.version
                if version is not None and version != doc.version:
                    raise AssertionError(f"an edit of version {version} of {uri}, which is at "
                                         f"version {doc.version}")
                for text_edit in change.edits:
                    if isinstance(text_edit, types.AnnotatedTextEdit) and not self.supports(
                        "workspace.workspace_edit.change_annotation_support"):
                        raise AssertionError("an annotated edit for a client without "
                                             "changeAnnotationSupport")
                out.setdefault(uri, (version, []))[1].extend(change.edits)
        if edit.changes:
            for uri, edits in edit.changes.items():
                if uri in out:
                    raise AssertionError("both changes and documentChanges for one document")
                if uri not in self.documents:
                    raise AssertionError(f"an edit of {uri}, which is not open")
                out[uri] = (None, list(edits))
        return out

    def apply(self, uri: str, edits, version: int | None = None) -> str:
        """Applies text edits as an editor does, and tells the server (incremental changes,
        the last one in the text first, so that each change's range holds as it is applied)."""
        doc = self.documents[uri]
        new_text = doc.applied(edits, self.encoding)
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                         reverse=True)
        changes = [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
                   for e in ordered]
        doc.text = new_text
        doc.version += 1
        self.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=doc.version),
            content_changes=changes))
        return new_text

    def replace(self, uri: str, range_: types.Range, text: str) -> str:
        return self.apply(uri, [types.TextEdit(range=range_, new_text=text)])


def _plain(method):
    """A bound method as a plain function (pygls sets attributes on its handlers)."""

    def handler(params):
        return method(params)

    return handler


# The server's requests that a client must have declared it takes (pytest-lsp itself checks
# workspace/configuration and window/workDoneProgress/create).
SERVER_REQUEST_NEEDS = {
    types.WORKSPACE_APPLY_EDIT: "workspace.apply_edit",
    types.WORKSPACE_WORKSPACE_FOLDERS: "workspace.workspace_folders",
    types.WINDOW_SHOW_DOCUMENT: "window.show_document.support",
    types.WORKSPACE_DIAGNOSTIC_REFRESH: "workspace.diagnostics.refresh_support",
    types.WORKSPACE_SEMANTIC_TOKENS_REFRESH: "workspace.semantic_tokens.refresh_support",
    types.WORKSPACE_CODE_LENS_REFRESH: "workspace.code_lens.refresh_support",
    types.WORKSPACE_INLAY_HINT_REFRESH: "workspace.inlay_hint.refresh_support",
    types.WORKSPACE_INLINE_VALUE_REFRESH: "workspace.inline_value.refresh_support",
    types.WORKSPACE_FOLDING_RANGE_REFRESH: "workspace.folding_range.refresh_support",
}
REFRESHES = [m for m in SERVER_REQUEST_NEEDS if m.endswith("/refresh")
             and m != types.WORKSPACE_DIAGNOSTIC_REFRESH]

# Methods a server may register dynamically, each with the client capability that allows it.
DYNAMIC_REGISTRATION = {
    types.WORKSPACE_DID_CHANGE_WATCHED_FILES: "workspace.did_change_watched_files.dynamic_registration",
    types.WORKSPACE_DID_CHANGE_CONFIGURATION: "workspace.did_change_configuration.dynamic_registration",
    types.WORKSPACE_SYMBOL: "workspace.symbol.dynamic_registration",
    types.WORKSPACE_EXECUTE_COMMAND: "workspace.execute_command.dynamic_registration",
    types.TEXT_DOCUMENT_DID_OPEN: "text_document.synchronization.dynamic_registration",
    types.TEXT_DOCUMENT_DID_CHANGE: "text_document.synchronization.dynamic_registration",
    types.TEXT_DOCUMENT_DID_CLOSE: "text_document.synchronization.dynamic_registration",
    types.TEXT_DOCUMENT_DID_SAVE: "text_document.synchronization.dynamic_registration",
}


def make_client() -> ConformanceClient:
    client = ConformanceClient(converter_factory=default_converter)
    register_lsp_features(client)  # pytest-lsp's own: diagnostics, progress, configuration…
    return client


def check_ranges(doc: TextDoc, encoding: str, ranges) -> None:
    for range_ in ranges:
        try:
            doc.check_range(range_, encoding)
        except BadPosition as error:
            raise AssertionError(f"a range not in the document: {error}") from None
