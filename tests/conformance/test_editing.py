"""The requests that change the document: completion, code actions, rename and the commands.
Every edit the server sends is applied by the client as an editor would (see
`ConformanceClient.apply`): one that is malformed for the client's capabilities, for the
document's version or for the negotiated encoding fails the test."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from harness import ConformanceClient, check_ranges
from seedfacts import ENTRY_LINE, MARKER_LINE, MISSING, NOTE_1_TEXT, ask, check
from test_diagnostics import ERROR, HINT, pulled_until
from textdoc import TextDoc, width

SCARS = {"hard-wrap", "page-break-space", "broken-url"}


def doc_id(doc: TextDoc) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=doc.uri)


def errors_of(items) -> list[tuple[int, str]]:
    return sorted((d.range.start.line, d.code) for d in items if d.severity == ERROR)


async def agrees_with_the_command_line(client: ConformanceClient, doc: TextDoc, tmp_path):
    """The server's errors for the client's text (after edits sent as incremental changes)
    are those `marginalia check` finds in that text."""
    path = tmp_path / "now.txt"
    path.write_text(doc.text, encoding="utf-8")
    expected = sorted((p.line, p.code) for p in check(path) if p.severity == "error")
    report = await pulled_until(client, doc, lambda items: errors_of(items) == expected)
    assert errors_of(report.items) == expected
    return report


# Completion ---------------------------------------------------------------------------------

def edit_of(item: types.CompletionItem):
    edit = item.text_edit
    if isinstance(edit, types.InsertReplaceEdit):
        return edit.insert, edit
    return (edit.range if edit else None), edit


def check_items(client: ConformanceClient, doc: TextDoc, position: types.Position, items):
    insert_replace = client.supports(
        "text_document.completion.completion_item.insert_replace_support")
    for item in items:
        range_, edit = edit_of(item)
        if isinstance(edit, types.InsertReplaceEdit):
            assert insert_replace, "an InsertReplaceEdit for a client without insertReplaceSupport"
            ranges = [edit.insert, edit.replace]
        else:
            ranges = [range_] if range_ else []
        for r in ranges:
            check_ranges(doc, client.encoding, [r])
            # Spec: a single line range that contains the position of the request.
            assert r.start.line == r.end.line == position.line, (item.label, r)
            assert r.start.character <= position.character <= r.end.character, (item.label, r)


async def test_completion_at_a_marker(client: ConformanceClient, seed: TextDoc):
    position = seed.pos("〔1〕", MARKER_LINE, client.encoding, 1)
    result = await ask(client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(seed), position=position)))
    items = result.items if isinstance(result, types.CompletionList) else result
    assert items, "no completion at a note marker"
    labels = [item.label for item in items]
    assert labels[:4] == ["〔1〕", "〔2〕", "〔3〕", "〔4〕"], labels
    check_items(client, seed, position, items)
    first = items[0]
    options = client.init_result.capabilities.completion_provider
    if options.resolve_provider:
        resolved = await ask(client.completion_item_resolve_async(first))
        assert resolved.label == first.label
        documentation = resolved.documentation or first.documentation
    else:
        documentation = first.documentation
    assert documentation is not None, "the note's text is shown beside its number"
    text = documentation if isinstance(documentation, str) else documentation.value
    assert NOTE_1_TEXT in text


async def test_completion_on_the_trigger_character(client: ConformanceClient, seed: TextDoc,
                                                   tmp_path):
    options = client.init_result.capabilities.completion_provider
    assert list(options.trigger_characters) == ["〔", "［", "["]
    # 〔 typed after 日本 on the marker's line.
    at = seed.pos("。日本", MARKER_LINE, client.encoding, 3)
    client.replace(seed.uri, types.Range(at, at), "〔")
    position = seed.position(seed.offset(at, client.encoding) + 1, client.encoding)
    result = await ask(client.text_document_completion_async(types.CompletionParams(
        text_document=doc_id(seed), position=position,
        context=types.CompletionContext(trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                                        trigger_character="〔"))))
    items = result.items if isinstance(result, types.CompletionList) else result
    assert items
    check_items(client, seed, position, items)
    # Accepting the first item, as an editor does: its edit and its additional edits at once
    # (they must not overlap). "A new note here" inserts the marker, its entry, and
    # renumbers the notes after it.
    item = items[0]
    if client.init_result.capabilities.completion_provider.resolve_provider:
        item = await ask(client.completion_item_resolve_async(item))
    range_, _ = edit_of(item)
    new_text = item.text_edit.new_text if item.text_edit else (item.insert_text or item.label)
    edits = [types.TextEdit(range=range_ or types.Range(position, position), new_text=new_text)]
    edits += list(item.additional_text_edits or [])
    client.apply(seed.uri, edits)
    line = seed.lines()[MARKER_LINE]
    number = new_text.strip("〔〕")
    assert line.endswith(f"。日本〔{number}〕"), line
    await agrees_with_the_command_line(client, seed, tmp_path)


# Code actions -------------------------------------------------------------------------------

def check_action(client: ConformanceClient, action) -> None:
    assert isinstance(action, types.CodeAction), "a Command where a CodeAction literal fits"
    kinds = client.init_result.capabilities.code_action_provider.code_action_kinds or []
    assert action.kind is not None
    assert any(action.kind == k or action.kind.startswith(k + ".") for k in kinds), \
        f"{action.kind} is not an advertised code action kind"
    caps = "text_document.code_action"
    if action.data is not None:
        assert client.supports(f"{caps}.data_support"), "data for a client without dataSupport"
    if action.disabled is not None:
        assert client.supports(f"{caps}.disabled_support")
    if action.is_preferred is not None:
        assert client.supports(f"{caps}.is_preferred_support")
    if action.edit is None and action.command is None:
        props = client.supports(f"{caps}.resolve_support.properties", [])
        assert "edit" in props, "an action without edit for a client that cannot resolve it"
        assert client.init_result.capabilities.code_action_provider.resolve_provider


async def actions_at(client, doc, range_, diagnostics=(), only=None):
    result = await ask(client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc_id(doc), range=range_,
        context=types.CodeActionContext(diagnostics=list(diagnostics), only=only,
                                        trigger_kind=types.CodeActionTriggerKind.Invoked))))
    assert result is not None
    for action in result:
        check_action(client, action)
    return result


async def edit_of_action(client: ConformanceClient, action: types.CodeAction):
    if action.edit is None:
        resolved = await ask(client.code_action_resolve_async(action))
        assert resolved.title == action.title
        assert resolved.edit is not None, f"codeAction/resolve gave no edit for {action.title}"
        return resolved.edit
    return action.edit


async def apply_action(client: ConformanceClient, doc: TextDoc, action) -> str:
    edit = await edit_of_action(client, action)
    changes = client.edits_of(edit)
    assert list(changes) == [doc.uri]
    version, edits = changes[doc.uri]
    return client.apply(doc.uri, edits, version)


async def test_quick_fix_for_a_missing_note(client: ConformanceClient, seed: TextDoc, tmp_path):
    report = await pulled_until(client, seed, lambda items: len(errors_of(items)) == 13)
    missing_5 = next(d for d in report.items if d.severity == ERROR
                     and seed.slice(d.range, client.encoding) == "〔5〕")
    actions = await actions_at(client, seed, missing_5.range, [missing_5])
    fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "〔5〕" in a.title]
    assert fixes, [a.title for a in actions]
    fix = fixes[0]
    assert fix.diagnostics and fix.diagnostics[0] == missing_5, "the fix names what it fixes"
    # Only quick fixes when asked for those.
    only = await actions_at(client, seed, missing_5.range, [missing_5],
                            only=[types.CodeActionKind.QuickFix])
    assert only and all(a.kind == types.CodeActionKind.QuickFix for a in only)
    await apply_action(client, seed, fix)
    notes = seed.text[seed.text.index("註釋："):]
    assert "\n〔5〕" in notes
    report = await agrees_with_the_command_line(client, seed, tmp_path)
    assert len(errors_of(report.items)) == 12


async def test_quick_fix_for_a_hint(client: ConformanceClient, seed: TextDoc, tmp_path):
    report = await pulled_until(client, seed, lambda items: len(items) == 66)
    hard_wrap = next(d for d in report.items if d.code == "hard-wrap")
    assert hard_wrap.severity == HINT
    actions = await actions_at(client, seed, hard_wrap.range, [hard_wrap])
    joins = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and a.diagnostics
             and a.diagnostics[0] == hard_wrap]
    assert joins, [a.title for a in actions]
    lines_before = len(seed.lines())
    await apply_action(client, seed, joins[0])
    assert len(seed.lines()) < lines_before
    await agrees_with_the_command_line(client, seed, tmp_path)


async def test_source_actions(client: ConformanceClient, seed: TextDoc, tmp_path):
    start = types.Range(types.Position(0, 0), types.Position(0, 0))
    actions = await actions_at(client, seed, start, only=[types.CodeActionKind.Source])
    kinds = sorted(a.kind for a in actions)
    assert kinds == ["source.fixAll.marginalia", "source.organizeNotes",
                     "source.reflowParagraphs"], kinds
    fix_all = await actions_at(client, seed, start, only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in fix_all] == ["source.fixAll.marginalia"]
    # Each can be resolved; the fix-all repairs every PDF scar.
    for action in actions:
        await edit_of_action(client, action)
    await apply_action(client, seed, fix_all[0])
    report = await agrees_with_the_command_line(client, seed, tmp_path)
    assert not [d for d in report.items if d.code in SCARS and d.code != "broken-url"], \
        [(d.code, d.range.start.line) for d in report.items if d.code in SCARS]


# Rename -----------------------------------------------------------------------------------

async def test_prepare_rename_and_rename(client: ConformanceClient, seed: TextDoc, tmp_path):
    position = seed.pos("〔1〕", MARKER_LINE, client.encoding, 1)
    prepared = await ask(client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc_id(seed), position=position)))
    assert prepared is not None
    if isinstance(prepared, types.PrepareRenamePlaceholder):
        assert prepared.placeholder == "1"
        range_ = prepared.range
    elif isinstance(prepared, types.Range):
        range_ = prepared
    else:
        range_ = None
    if range_ is not None:
        assert "1" in seed.slice(range_, client.encoding)
        start, end = (seed.offset(range_.start, client.encoding),
                      seed.offset(range_.end, client.encoding))
        assert start <= seed.offset(position, client.encoding) <= end
    # Nothing to rename in plain text.
    plain = seed.pos("日本", MARKER_LINE, client.encoding)
    assert await ask(client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc_id(seed), position=plain))) is None

    edit = await ask(client.text_document_rename_async(types.RenameParams(
        text_document=doc_id(seed), position=position, new_name="20")))
    assert edit is not None
    version, edits = client.edits_of(edit)[seed.uri]
    client.apply(seed.uri, edits, version)
    assert "〔20〕。日本" in seed.lines()[MARKER_LINE]
    assert seed.lines()[ENTRY_LINE].startswith("〔20〕")
    await agrees_with_the_command_line(client, seed, tmp_path)


async def test_rename_to_a_name_that_is_not_a_number(client: ConformanceClient, seed: TextDoc):
    position = seed.pos("〔1〕", MARKER_LINE, client.encoding, 1)
    with pytest.raises(JsonRpcException) as error:
        await ask(client.text_document_rename_async(types.RenameParams(
            text_document=doc_id(seed), position=position, new_name="abc")))
    # RequestFailed (the request was valid, it cannot be carried out) or InvalidParams.
    assert error.value.code in (-32803, -32602), error.value


# Commands (workspace/executeCommand → workspace/applyEdit) ---------------------------------

def command_arguments(doc: TextDoc, encoding: str) -> dict[str, list]:
    def at(needle, line=None, after=1):
        p = doc.pos(needle, line, encoding, after)
        return {"line": p.line, "character": p.character}

    return {
        "marginalia.insertNote": [doc.uri, at("。日本", MARKER_LINE, 3)],
        "marginalia.deleteNote": [doc.uri, at("〔1〕", MARKER_LINE)],
        "marginalia.addMissingNote": [doc.uri, at("〔5〕")],
        "marginalia.deleteNoteEntry": [doc.uri, at("〔1〕", ENTRY_LINE)],
        "marginalia.swapNotes": [doc.uri, at("〔1〕", MARKER_LINE), 2],
        "marginalia.renumberNotes": [doc.uri],
        "marginalia.reflowParagraphs": [doc.uri],
        "marginalia.repairScars": [doc.uri],
    }


COMMANDS = ["marginalia.insertNote", "marginalia.deleteNote", "marginalia.addMissingNote",
            "marginalia.deleteNoteEntry", "marginalia.swapNotes", "marginalia.renumberNotes",
            "marginalia.reflowParagraphs", "marginalia.repairScars"]


def test_every_advertised_command_is_exercised(client: ConformanceClient, seed: TextDoc):
    advertised = client.init_result.capabilities.execute_command_provider.commands
    assert sorted(advertised) == sorted(COMMANDS)
    assert sorted(command_arguments(seed, client.encoding)) == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
async def test_execute_command(client: ConformanceClient, seed: TextDoc, command: str, tmp_path):
    assert command in client.init_result.capabilities.execute_command_provider.commands
    before = seed.text
    arguments = command_arguments(seed, client.encoding)[command]
    client.applied.clear()
    result = await ask(client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=arguments)))
    # The edit came as workspace/applyEdit, answered before the command's own answer.
    assert client.applied.is_set(), "no workspace/applyEdit"
    assert len(client.applied_edits) == 1
    assert result is None
    after = seed.text
    assert seed.version == 2, "the client applied the edit and told the server"
    body_markers = lambda text: text[: text.index("註釋：")].count("〔")  # noqa: E731
    if command != "marginalia.renumberNotes":
        assert after != before, f"{command} changed nothing"
    if command == "marginalia.insertNote":
        assert body_markers(after) == body_markers(before) + 1
        assert after.count("〔") == before.count("〔") + 2
    elif command == "marginalia.deleteNote":
        assert NOTE_1_TEXT not in after
        assert after.count("〔") <= before.count("〔") - 2
    elif command == "marginalia.addMissingNote":
        assert "\n〔5〕" in after[after.index("註釋："):]
    elif command == "marginalia.deleteNoteEntry":
        assert NOTE_1_TEXT not in after and "〔1〕" in seed.lines()[MARKER_LINE]
    elif command == "marginalia.swapNotes":
        # Notes 1 and 2 trade numbers, markers and entries alike.
        assert "〔2〕。日本" in seed.lines()[MARKER_LINE]
        assert "〔2〕" + NOTE_1_TEXT in after and "〔1〕The United States" in after
    elif command in ("marginalia.reflowParagraphs", "marginalia.repairScars"):
        assert len(seed.lines()) < len(before.splitlines())
    report = await agrees_with_the_command_line(client, seed, tmp_path)
    if command == "marginalia.addMissingNote":
        assert len(errors_of(report.items)) == len(MISSING) - 1
    if command == "marginalia.deleteNoteEntry":
        assert len(errors_of(report.items)) == len(MISSING) + 1


async def test_execute_command_with_wrong_arguments(client: ConformanceClient, seed: TextDoc):
    for params in (types.ExecuteCommandParams(command="marginalia.noSuchCommand",
                                              arguments=[seed.uri]),
                   types.ExecuteCommandParams(command="marginalia.insertNote",
                                              arguments=[seed.uri])):
        with pytest.raises(JsonRpcException) as error:
            await ask(client.workspace_execute_command_async(params))
        assert error.value.code == -32602, error.value  # InvalidParams, not MethodNotFound
    await asyncio.sleep(0.1)
    assert not client.applied_edits


# Document changes ---------------------------------------------------------------------------

async def test_content_changes(client: ConformanceClient, seed: TextDoc, tmp_path):
    """Incremental changes in one notification apply one after the other, each in the text
    the previous left (spec); a change without a range replaces the whole text, which a
    client may send even to a server that asked for incremental changes."""
    enc = client.encoding
    before = seed.pos("〔1〕", MARKER_LINE, enc)
    # 〔2〕 typed before 〔1〕, then 〔3〕 after that 〔2〕: a place only the first change makes.
    after_2 = types.Position(before.line, before.character + width("〔2〕", enc))
    changes = [types.TextDocumentContentChangePartial(range=types.Range(before, before),
                                                      text="〔2〕"),
               types.TextDocumentContentChangePartial(range=types.Range(after_2, after_2),
                                                      text="〔3〕")]
    line = seed.lines()[MARKER_LINE]
    index = line.index("〔1〕")
    expected_line = line[:index] + "〔2〕〔3〕" + line[index:]
    lines = list(seed.lines())
    lines[MARKER_LINE] = expected_line
    seed.text = "\n".join(lines)
    seed.version += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=seed.uri, version=seed.version),
        content_changes=changes))
    at_3 = seed.pos("〔2〕〔3〕〔1〕", MARKER_LINE, enc, 4)
    prepared = await ask(client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc_id(seed), position=at_3)))
    assert isinstance(prepared, types.PrepareRenamePlaceholder), prepared
    assert prepared.placeholder == "3" and seed.slice(prepared.range, enc) == "〔3〕"
    await agrees_with_the_command_line(client, seed, tmp_path)

    # The whole text replaced: the notes section dropped.
    whole = seed.text[: seed.text.index("註釋：")]
    seed.text = whole
    seed.version += 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=seed.uri, version=seed.version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=whole)]))
    symbols = await ask(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(seed))))
    assert [s.name for s in symbols][-1] == "結語"
    await agrees_with_the_command_line(client, seed, tmp_path)
