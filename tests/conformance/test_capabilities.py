"""The server advertises what it implements, and nothing else.

Each field of the `initialize` result's capabilities stands for some requests (a provider, and
its resolve or prepare requests when its options say so). Every request advertised is sent on
the seed and must get an answer, not an error; every request of the LSP that is *not*
advertised is sent too, well formed, and must get MethodNotFound (-32601) rather than a
made-up answer. A capability this suite does not know fails the test, so that a new one is
not advertised untested."""

from __future__ import annotations

import attrs
import pytest
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException

from harness import ConformanceClient
from seedfacts import MARKER_LINE, ask
from textdoc import TextDoc

METHOD_NOT_FOUND = -32601


def params_for(method: str, doc: TextDoc, encoding: str):
    """Well-formed params for `method`, aimed at the seed's first 〔1〕 where a place is asked."""
    d = T.TextDocumentIdentifier(uri=doc.uri)
    p = doc.pos("〔1〕", MARKER_LINE, encoding, 1)
    r = T.Range(T.Position(MARKER_LINE, 0), T.Position(MARKER_LINE + 10, 0))
    fmt = T.FormattingOptions(tab_size=4, insert_spaces=True)
    item_range = T.Range(p, p)
    call_item = T.CallHierarchyItem(name="〔1〕", kind=T.SymbolKind.Key, uri=doc.uri,
                                    range=item_range, selection_range=item_range)
    type_item = T.TypeHierarchyItem(name="〔1〕", kind=T.SymbolKind.Key, uri=doc.uri,
                                    range=item_range, selection_range=item_range)
    other = doc.uri.rsplit("/", 1)[0] + "/renamed.txt"
    return {
        T.TEXT_DOCUMENT_COMPLETION: T.CompletionParams(text_document=d, position=p),
        T.COMPLETION_ITEM_RESOLVE: T.CompletionItem(label="〔1〕"),
        T.TEXT_DOCUMENT_HOVER: T.HoverParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_SIGNATURE_HELP: T.SignatureHelpParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_DECLARATION: T.DeclarationParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_DEFINITION: T.DefinitionParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_TYPE_DEFINITION: T.TypeDefinitionParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_IMPLEMENTATION: T.ImplementationParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_REFERENCES: T.ReferenceParams(
            text_document=d, position=p, context=T.ReferenceContext(include_declaration=True)),
        T.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT: T.DocumentHighlightParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_DOCUMENT_SYMBOL: T.DocumentSymbolParams(text_document=d),
        T.TEXT_DOCUMENT_CODE_ACTION: T.CodeActionParams(
            text_document=d, range=T.Range(p, p), context=T.CodeActionContext(diagnostics=[])),
        T.CODE_ACTION_RESOLVE: T.CodeAction(title="Renumber notes in order of first citation",
                                            kind="source.organizeNotes"),
        T.TEXT_DOCUMENT_CODE_LENS: T.CodeLensParams(text_document=d),
        T.CODE_LENS_RESOLVE: T.CodeLens(range=item_range),
        T.TEXT_DOCUMENT_DOCUMENT_LINK: T.DocumentLinkParams(text_document=d),
        T.DOCUMENT_LINK_RESOLVE: T.DocumentLink(range=item_range),
        T.TEXT_DOCUMENT_DOCUMENT_COLOR: T.DocumentColorParams(text_document=d),
        T.TEXT_DOCUMENT_COLOR_PRESENTATION: T.ColorPresentationParams(
            text_document=d, color=T.Color(red=1.0, green=0.0, blue=0.0, alpha=1.0), range=item_range),
        T.WORKSPACE_SYMBOL: T.WorkspaceSymbolParams(query="註釋"),
        T.WORKSPACE_SYMBOL_RESOLVE: T.WorkspaceSymbol(
            name="註釋", kind=T.SymbolKind.Namespace, location=T.LocationUriOnly(uri=doc.uri)),
        T.TEXT_DOCUMENT_FORMATTING: T.DocumentFormattingParams(text_document=d, options=fmt),
        T.TEXT_DOCUMENT_RANGE_FORMATTING: T.DocumentRangeFormattingParams(
            text_document=d, range=r, options=fmt),
        T.TEXT_DOCUMENT_RANGES_FORMATTING: T.DocumentRangesFormattingParams(
            text_document=d, ranges=[r], options=fmt),
        T.TEXT_DOCUMENT_ON_TYPE_FORMATTING: T.DocumentOnTypeFormattingParams(
            text_document=d, position=p, ch="。", options=fmt),
        T.TEXT_DOCUMENT_PREPARE_RENAME: T.PrepareRenameParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_RENAME: T.RenameParams(text_document=d, position=p, new_name="20"),
        T.TEXT_DOCUMENT_FOLDING_RANGE: T.FoldingRangeParams(text_document=d),
        T.TEXT_DOCUMENT_SELECTION_RANGE: T.SelectionRangeParams(text_document=d, positions=[p]),
        T.WORKSPACE_EXECUTE_COMMAND: T.ExecuteCommandParams(
            command="marginalia.renumberNotes", arguments=[doc.uri]),
        T.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY: T.CallHierarchyPrepareParams(
            text_document=d, position=p),
        T.CALL_HIERARCHY_INCOMING_CALLS: T.CallHierarchyIncomingCallsParams(item=call_item),
        T.CALL_HIERARCHY_OUTGOING_CALLS: T.CallHierarchyOutgoingCallsParams(item=call_item),
        T.TEXT_DOCUMENT_LINKED_EDITING_RANGE: T.LinkedEditingRangeParams(
            text_document=d, position=p),
        T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL: T.SemanticTokensParams(text_document=d),
        T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL_DELTA: T.SemanticTokensDeltaParams(
            text_document=d, previous_result_id="0"),
        T.TEXT_DOCUMENT_SEMANTIC_TOKENS_RANGE: T.SemanticTokensRangeParams(
            text_document=d, range=r),
        T.TEXT_DOCUMENT_MONIKER: T.MonikerParams(text_document=d, position=p),
        T.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY: T.TypeHierarchyPrepareParams(
            text_document=d, position=p),
        T.TYPE_HIERARCHY_SUPERTYPES: T.TypeHierarchySupertypesParams(item=type_item),
        T.TYPE_HIERARCHY_SUBTYPES: T.TypeHierarchySubtypesParams(item=type_item),
        T.TEXT_DOCUMENT_INLINE_VALUE: T.InlineValueParams(
            text_document=d, range=r,
            context=T.InlineValueContext(frame_id=1, stopped_location=item_range)),
        T.TEXT_DOCUMENT_INLAY_HINT: T.InlayHintParams(text_document=d, range=r),
        T.INLAY_HINT_RESOLVE: T.InlayHint(position=p, label="x"),
        T.TEXT_DOCUMENT_DIAGNOSTIC: T.DocumentDiagnosticParams(text_document=d),
        T.WORKSPACE_DIAGNOSTIC: T.WorkspaceDiagnosticParams(previous_result_ids=[]),
        T.TEXT_DOCUMENT_INLINE_COMPLETION: T.InlineCompletionParams(
            context=T.InlineCompletionContext(trigger_kind=T.InlineCompletionTriggerKind.Invoked),
            text_document=d, position=p),
        T.TEXT_DOCUMENT_WILL_SAVE_WAIT_UNTIL: T.WillSaveTextDocumentParams(
            text_document=d, reason=T.TextDocumentSaveReason.Manual),
        T.WORKSPACE_WILL_CREATE_FILES: T.CreateFilesParams(files=[T.FileCreate(uri=other)]),
        T.WORKSPACE_WILL_RENAME_FILES: T.RenameFilesParams(
            files=[T.FileRename(old_uri=doc.uri, new_uri=other)]),
        T.WORKSPACE_WILL_DELETE_FILES: T.DeleteFilesParams(files=[T.FileDelete(uri=other)]),
        T.WORKSPACE_TEXT_DOCUMENT_CONTENT: T.TextDocumentContentParams(uri=doc.uri),
    }


ALL_REQUESTS = set(params_for(T.TEXT_DOCUMENT_HOVER, TextDoc("file:///x.txt", "〔1〕\n" * 200),
                              T.PositionEncodingKind.Utf16))


def _set(options, name) -> bool:
    return bool(getattr(options, name, None))


# Capability fields that stand for no request.
NO_REQUEST = {"position_encoding", "notebook_document_sync", "experimental"}


def advertised(caps: T.ServerCapabilities) -> tuple[set[str], list[str]]:
    """The requests `caps` advertise, and the options this suite does not know (a field set
    in an options object that it does not check)."""
    methods: set[str] = set()
    unknown: list[str] = []

    def known(name, options, fields):
        if attrs.has(type(options)):
            for field in attrs.fields(type(options)):
                if getattr(options, field.name) is not None and field.name not in fields:
                    unknown.append(f"{name}.{field.name}")

    simple = {
        "hover_provider": [T.TEXT_DOCUMENT_HOVER],
        "signature_help_provider": [T.TEXT_DOCUMENT_SIGNATURE_HELP],
        "declaration_provider": [T.TEXT_DOCUMENT_DECLARATION],
        "definition_provider": [T.TEXT_DOCUMENT_DEFINITION],
        "type_definition_provider": [T.TEXT_DOCUMENT_TYPE_DEFINITION],
        "implementation_provider": [T.TEXT_DOCUMENT_IMPLEMENTATION],
        "references_provider": [T.TEXT_DOCUMENT_REFERENCES],
        "document_highlight_provider": [T.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT],
        "document_symbol_provider": [T.TEXT_DOCUMENT_DOCUMENT_SYMBOL],
        "color_provider": [T.TEXT_DOCUMENT_DOCUMENT_COLOR, T.TEXT_DOCUMENT_COLOR_PRESENTATION],
        "document_formatting_provider": [T.TEXT_DOCUMENT_FORMATTING],
        "document_on_type_formatting_provider": [T.TEXT_DOCUMENT_ON_TYPE_FORMATTING],
        "folding_range_provider": [T.TEXT_DOCUMENT_FOLDING_RANGE],
        "selection_range_provider": [T.TEXT_DOCUMENT_SELECTION_RANGE],
        "execute_command_provider": [T.WORKSPACE_EXECUTE_COMMAND],
        "call_hierarchy_provider": [T.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY,
                                    T.CALL_HIERARCHY_INCOMING_CALLS,
                                    T.CALL_HIERARCHY_OUTGOING_CALLS],
        "linked_editing_range_provider": [T.TEXT_DOCUMENT_LINKED_EDITING_RANGE],
        "moniker_provider": [T.TEXT_DOCUMENT_MONIKER],
        "type_hierarchy_provider": [T.TEXT_DOCUMENT_PREPARE_TYPE_HIERARCHY,
                                    T.TYPE_HIERARCHY_SUPERTYPES, T.TYPE_HIERARCHY_SUBTYPES],
        "inline_value_provider": [T.TEXT_DOCUMENT_INLINE_VALUE],
        "inline_completion_provider": [T.TEXT_DOCUMENT_INLINE_COMPLETION],
    }
    # Options fields that change nothing about which requests exist.
    plain = {"work_done_progress", "id", "document_selector"}
    resolves = {
        "completion_provider": (T.TEXT_DOCUMENT_COMPLETION, T.COMPLETION_ITEM_RESOLVE,
                                {"trigger_characters", "all_commit_characters",
                                 "completion_item"}),
        "code_action_provider": (T.TEXT_DOCUMENT_CODE_ACTION, T.CODE_ACTION_RESOLVE,
                                 {"code_action_kinds", "documentation"}),
        "code_lens_provider": (T.TEXT_DOCUMENT_CODE_LENS, T.CODE_LENS_RESOLVE, set()),
        "document_link_provider": (T.TEXT_DOCUMENT_DOCUMENT_LINK, T.DOCUMENT_LINK_RESOLVE, set()),
        "workspace_symbol_provider": (T.WORKSPACE_SYMBOL, T.WORKSPACE_SYMBOL_RESOLVE, set()),
        "inlay_hint_provider": (T.TEXT_DOCUMENT_INLAY_HINT, T.INLAY_HINT_RESOLVE, set()),
    }
    for field in attrs.fields(T.ServerCapabilities):
        name, value = field.name, getattr(caps, field.name)
        if value is None or value is False or name in NO_REQUEST:
            continue
        if name in simple:
            methods.update(simple[name])
            fields = plain | ({"commands"} if name == "execute_command_provider" else set()) \
                | ({"first_trigger_character", "more_trigger_character"}
                   if name == "document_on_type_formatting_provider" else set()) \
                | ({"trigger_characters", "retrigger_characters"}
                   if name == "signature_help_provider" else set())
            known(name, value, fields)
        elif name in resolves:
            request, resolve, fields = resolves[name]
            methods.add(request)
            if _set(value, "resolve_provider"):
                methods.add(resolve)
            known(name, value, plain | fields | {"resolve_provider"})
        elif name == "document_range_formatting_provider":
            methods.add(T.TEXT_DOCUMENT_RANGE_FORMATTING)
            if _set(value, "ranges_support"):
                methods.add(T.TEXT_DOCUMENT_RANGES_FORMATTING)
            known(name, value, plain | {"ranges_support"})
        elif name == "rename_provider":
            methods.add(T.TEXT_DOCUMENT_RENAME)
            if _set(value, "prepare_provider"):
                methods.add(T.TEXT_DOCUMENT_PREPARE_RENAME)
            known(name, value, plain | {"prepare_provider"})
        elif name == "semantic_tokens_provider":
            if value.full:
                methods.add(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL)
                if isinstance(value.full, T.SemanticTokensFullDelta) and value.full.delta:
                    methods.add(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL_DELTA)
            if value.range:
                methods.add(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_RANGE)
            known(name, value, plain | {"legend", "full", "range"})
        elif name == "diagnostic_provider":
            methods.add(T.TEXT_DOCUMENT_DIAGNOSTIC)
            if value.workspace_diagnostics:
                methods.add(T.WORKSPACE_DIAGNOSTIC)
            known(name, value, plain | {"identifier", "inter_file_dependencies",
                                        "workspace_diagnostics"})
        elif name == "text_document_sync":
            if isinstance(value, T.TextDocumentSyncOptions):
                if value.will_save_wait_until:
                    methods.add(T.TEXT_DOCUMENT_WILL_SAVE_WAIT_UNTIL)
                known(name, value, {"open_close", "change", "will_save", "will_save_wait_until",
                                    "save"})
        elif name == "workspace":
            operations = value.file_operations
            if operations is not None:
                for field_name, method in (("will_create", T.WORKSPACE_WILL_CREATE_FILES),
                                           ("will_rename", T.WORKSPACE_WILL_RENAME_FILES),
                                           ("will_delete", T.WORKSPACE_WILL_DELETE_FILES)):
                    if getattr(operations, field_name) is not None:
                        methods.add(method)
                known("workspace.file_operations", operations,
                      {"did_create", "will_create", "did_rename", "will_rename", "did_delete",
                       "will_delete"})
            if value.text_document_content is not None:
                methods.add(T.WORKSPACE_TEXT_DOCUMENT_CONTENT)
            known(name, value, {"workspace_folders", "file_operations", "text_document_content"})
        else:
            unknown.append(name)
    return methods, unknown


def test_every_advertised_capability_is_checked(client: ConformanceClient):
    methods, unknown = advertised(client.init_result.capabilities)
    assert not unknown, f"advertised, but this suite does not know what it stands for: {unknown}"
    assert methods <= ALL_REQUESTS
    # The seed's requests, as the issue lists them.
    assert {T.TEXT_DOCUMENT_DOCUMENT_SYMBOL, T.TEXT_DOCUMENT_DEFINITION, T.TEXT_DOCUMENT_HOVER,
            T.TEXT_DOCUMENT_COMPLETION, T.TEXT_DOCUMENT_CODE_ACTION,
            T.TEXT_DOCUMENT_FOLDING_RANGE, T.TEXT_DOCUMENT_DOCUMENT_LINK} <= methods


def request_ids():
    return sorted(ALL_REQUESTS)


@pytest.mark.parametrize("method", request_ids())
async def test_request(client: ConformanceClient, seed: TextDoc, method: str):
    """Advertised: answered (a result, not an error). Not advertised: MethodNotFound."""
    methods, _ = advertised(client.init_result.capabilities)
    params = params_for(method, seed, client.encoding)[method]
    if method in methods:
        try:
            await ask(client.protocol.send_request_async(method, params))
        except JsonRpcException as error:
            raise AssertionError(f"{method} is advertised, but answered error {error.code}: "
                                 f"{error.message}") from None
    else:
        with pytest.raises(JsonRpcException) as error:
            result = await ask(client.protocol.send_request_async(method, params))
            pytest.fail(f"{method} is not advertised, but answered {result!r}")
        assert error.value.code == METHOD_NOT_FOUND, \
            f"{method} is not advertised: MethodNotFound expected, got {error.value.code} " \
            f"{error.value.message}"


async def test_document_synchronization(client: ConformanceClient, seed: TextDoc):
    """didSave (advertised with save: true) and didClose are taken; a closed document is no
    longer known (its requests get null, not errors); opened again, it is known again."""
    sync = client.init_result.capabilities.text_document_sync
    d = T.TextDocumentIdentifier(uri=seed.uri)
    p = seed.pos("〔1〕", MARKER_LINE, client.encoding, 1)
    if sync.save:
        client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=d))
    hover = await ask(client.text_document_hover_async(T.HoverParams(text_document=d, position=p)))
    assert hover is not None
    client.text_document_did_close(T.DidCloseTextDocumentParams(text_document=d))
    hover = await ask(client.text_document_hover_async(T.HoverParams(text_document=d, position=p)))
    assert hover is None
    client.open(seed.uri, seed.text)
    hover = await ask(client.text_document_hover_async(T.HoverParams(text_document=d, position=p)))
    assert hover is not None
