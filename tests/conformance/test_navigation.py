"""The reading requests on the seed: each answer well formed (the harness holds it to the LSP
types), in the negotiated position encoding, and plausible for what the seed holds."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from harness import ConformanceClient, check_ranges
from seedfacts import (ENTRY_LINE, MARKER_LINE, NOTE_1_TEXT, YOMIURI, ask, outline)
from textdoc import TextDoc, width


def doc_id(doc: TextDoc) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=doc.uri)


def at_marker_1(client: ConformanceClient, doc: TextDoc, after: int = 1) -> types.Position:
    """A position in the first 〔1〕 (on its digit by default), in the negotiated encoding."""
    return doc.pos("〔1〕", MARKER_LINE, client.encoding, after)


def locations(result) -> list[tuple[str, types.Range]]:
    """The targets of a definition answer, whichever of its shapes it has."""
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    out = []
    for item in items:
        if isinstance(item, types.LocationLink):
            out.append((item.target_uri, item.target_selection_range))
        else:
            out.append((item.uri, item.range))
    return out


async def test_initialize_result(client: ConformanceClient):
    result = client.init_result
    assert result.server_info is not None and result.server_info.name == "marginalia"
    offered = client.supports("general.position_encodings", None)
    negotiated = result.capabilities.position_encoding
    if offered:
        assert negotiated in offered, f"{negotiated} was not offered ({offered})"
    else:
        assert negotiated in (None, types.PositionEncodingKind.Utf16)
    sync = result.capabilities.text_document_sync
    assert isinstance(sync, types.TextDocumentSyncOptions) and sync.open_close
    assert sync.change == types.TextDocumentSyncKind.Incremental


async def test_definition_of_marker_is_its_note(client: ConformanceClient, seed: TextDoc):
    for after in (0, 1, 2):  # on 〔, on the digit, on 〕
        position = at_marker_1(client, seed, after)
        result = await ask(client.text_document_definition_async(
            types.DefinitionParams(text_document=doc_id(seed), position=position)))
        found = locations(result)
        assert len(found) == 1, f"at {position}: {result}"
        uri, range_ = found[0]
        assert uri == seed.uri
        assert range_.start.line == ENTRY_LINE, f"at {position}: {result}"
        assert seed.slice(range_, client.encoding) == "〔1〕"


async def test_definition_elsewhere(client: ConformanceClient, seed: TextDoc):
    # A marker without an entry, and plain text: no definition (null or an empty list).
    for position in (seed.pos("〔5〕", None, client.encoding, 1),
                     seed.pos("日本", MARKER_LINE, client.encoding, 1)):
        result = await ask(client.text_document_definition_async(
            types.DefinitionParams(text_document=doc_id(seed), position=position)))
        assert not locations(result), f"at {position}: {result}"


async def test_references_and_highlights(client: ConformanceClient, seed: TextDoc):
    position = at_marker_1(client, seed)
    for include in (True, False):
        result = await ask(client.text_document_references_async(types.ReferenceParams(
            text_document=doc_id(seed), position=position,
            context=types.ReferenceContext(include_declaration=include))))
        assert result, f"no references (includeDeclaration={include})"
        check_ranges(seed, client.encoding, [r.range for r in result])
        lines = sorted(r.range.start.line for r in result)
        assert MARKER_LINE in lines
        assert (ENTRY_LINE in lines) == include, lines
        for location in result:
            assert location.uri == seed.uri
            assert "1" in seed.slice(location.range, client.encoding)

    highlights = await ask(client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=doc_id(seed), position=position)))
    assert highlights and len(highlights) >= 2
    check_ranges(seed, client.encoding, [h.range for h in highlights])
    assert {h.range.start.line for h in highlights} >= {MARKER_LINE, ENTRY_LINE}
    for highlight in highlights:
        assert seed.slice(highlight.range, client.encoding) == "〔1〕"


async def test_hover_shows_the_note(client: ConformanceClient, seed: TextDoc):
    position = at_marker_1(client, seed)
    hover = await ask(client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(seed), position=position)))
    assert hover is not None
    contents = hover.contents
    if isinstance(contents, types.MarkupContent):
        formats = client.supports("text_document.hover.content_format", None)
        if formats is not None:
            assert contents.kind in formats, f"{contents.kind} not in {formats}"
        text = contents.value
    elif isinstance(contents, list):
        text = "".join(c if isinstance(c, str) else c.value for c in contents)
    else:
        text = contents if isinstance(contents, str) else contents.value
    assert NOTE_1_TEXT in text
    if hover.range is not None:
        assert seed.slice(hover.range, client.encoding) == "〔1〕"
    # Plain text: nothing to show.
    nothing = await ask(client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(seed), position=seed.pos("日本", MARKER_LINE, client.encoding))))
    assert nothing is None


async def test_document_symbols_match_the_outline(client: ConformanceClient, seed: TextDoc):
    result = await ask(client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(seed))))
    assert result
    expected = outline()
    if client.supports("text_document.document_symbol.hierarchical_document_symbol_support"):
        assert all(isinstance(s, types.DocumentSymbol) for s in result)
    if isinstance(result[0], types.DocumentSymbol):
        top = [(s.name, s.selection_range.start.line) for s in result]
        assert top == [(i.name, i.line) for i in expected if i.depth == 0]

        def walk(symbols, depth=0):
            for s in symbols:
                yield depth, s
                yield from walk(s.children or [], depth + 1)

        flat = list(walk(result))
        assert [(d, s.selection_range.start.line) for d, s in flat] == \
            [(i.depth, i.line) for i in expected]
        for depth, symbol in flat:
            check_ranges(seed, client.encoding, [symbol.range, symbol.selection_range])
            assert seed.offset(symbol.range.start, client.encoding) <= seed.offset(
                symbol.selection_range.start, client.encoding)
            assert seed.offset(symbol.selection_range.end, client.encoding) <= seed.offset(
                symbol.range.end, client.encoding)
            if not symbol.name.startswith("〔"):
                # Headings: the selection is the heading's text (some are broken over lines).
                printed = seed.slice(symbol.selection_range, client.encoding)
                assert "".join(printed.split()).startswith("".join(symbol.name.split()))
    else:
        names = {s.name for s in result}
        assert {i.name for i in expected if i.depth == 0} <= names


async def test_workspace_symbols(client: ConformanceClient, seed: TextDoc):
    result = await ask(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="結語")))
    assert result
    assert any(s.name == "結語" and s.location.uri == seed.uri for s in result), result
    for symbol in result:
        if symbol.location.uri == seed.uri:
            check_ranges(seed, client.encoding, [symbol.location.range])
    # A file of the workspace that was never opened is found once it has been read.
    closed = TextDoc((client.workspace / "closed.txt").as_uri(),
                     (client.workspace / "closed.txt").read_text(encoding="utf-8"))
    for _ in range(50):
        result = await ask(client.workspace_symbol_async(
            types.WorkspaceSymbolParams(query="閉じた文書")))
        if result:
            break
        await asyncio.sleep(0.1)
    assert result, "the workspace's closed.txt was not found"
    hit = [s for s in result if s.location.uri == closed.uri and s.name.startswith("一、")]
    assert hit, result
    assert closed.slice(hit[0].location.range, client.encoding).startswith("一、閉じた文書")
    everything = await ask(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="")))
    assert everything is not None


async def test_folding_ranges(client: ConformanceClient, seed: TextDoc):
    result = await ask(client.text_document_folding_range_async(
        types.FoldingRangeParams(text_document=doc_id(seed))))
    assert result, "no folding ranges"
    line_count = len(seed.lines())
    line_only = client.supports("text_document.folding_range.line_folding_only")
    limit = client.supports("text_document.folding_range.range_limit", None)
    if limit:
        assert len(result) <= limit
    for fold in result:
        assert 0 <= fold.start_line <= fold.end_line < line_count, fold
        if line_only:
            assert fold.start_character is None and fold.end_character is None, fold
        if fold.collapsed_text is not None:
            assert client.supports("text_document.folding_range.folding_range.collapsed_text")
    starts = {f.start_line for f in result}
    headings = [i.line for i in outline() if not i.name.startswith("〔")]
    assert set(headings[:-1]) <= starts, "each heading's section folds"


async def test_selection_ranges(client: ConformanceClient, seed: TextDoc):
    positions = [at_marker_1(client, seed), seed.pos("結語", None, client.encoding),
                 types.Position(0, 0)]
    result = await ask(client.text_document_selection_range_async(
        types.SelectionRangeParams(text_document=doc_id(seed), positions=positions)))
    assert result is not None and len(result) == len(positions)
    for position, selection in zip(positions, result):
        at = seed.offset(position, client.encoding)
        start = seed.offset(selection.range.start, client.encoding)
        end = seed.offset(selection.range.end, client.encoding)
        assert start <= at <= end, f"{selection.range} does not hold {position}"
        depth = 0
        while selection.parent is not None:
            parent = selection.parent
            p_start = seed.offset(parent.range.start, client.encoding)
            p_end = seed.offset(parent.range.end, client.encoding)
            assert p_start <= start and end <= p_end, f"{parent.range} ⊉ {selection.range}"
            selection, start, end, depth = parent, p_start, p_end, depth + 1
        assert depth >= 1 or position == types.Position(0, 0)
    first = result[0]
    assert seed.slice(first.range, client.encoding) == "〔1〕"


async def test_document_links(client: ConformanceClient, seed: TextDoc):
    result = await ask(client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=doc_id(seed))))
    assert result is not None and len(result) == 4, result
    targets = [link.target for link in result]
    assert YOMIURI in targets
    for link in result:
        assert link.target and link.target.startswith("https://")
        # The link covers the URL as printed, broken over lines by the PDF extraction.
        printed = seed.slice(link.range, client.encoding)
        assert "".join(printed.split()) == link.target, (printed, link.target)


async def test_code_lenses(client: ConformanceClient, seed: TextDoc):
    result = await ask(client.text_document_code_lens_async(
        types.CodeLensParams(text_document=doc_id(seed))))
    assert result, "no code lenses"
    options = client.init_result.capabilities.code_lens_provider
    commands = client.init_result.capabilities.execute_command_provider
    known = set(commands.commands) if commands else set()
    for lens in result:
        check_ranges(seed, client.encoding, [lens.range])
        if not options.resolve_provider:
            assert lens.command is not None, "an unresolved lens from a server that cannot resolve"
        if lens.command is not None:
            assert lens.command.title
            # A label-only lens has no command id; any other must be one the server runs.
            assert lens.command.command in known | {""}, lens.command
    lines = {lens.range.start.line for lens in result}
    assert ENTRY_LINE in lines


def decode_tokens(data: list[int]) -> list[tuple[int, int, int, int, int]]:
    """Relative semantic tokens as (line, start, length, type, modifiers)."""
    assert len(data) % 5 == 0, f"{len(data)} integers, not a multiple of 5"
    tokens, line, start = [], 0, 0
    for i in range(0, len(data), 5):
        d_line, d_start, length, kind, mods = data[i : i + 5]
        line += d_line
        start = start + d_start if d_line == 0 else d_start
        tokens.append((line, start, length, kind, mods))
    return tokens


def check_tokens(client: ConformanceClient, doc: TextDoc, tokens) -> None:
    legend = client.init_result.capabilities.semantic_tokens_provider.legend
    multiline = client.supports("text_document.semantic_tokens.multiline_token_support")
    overlapping = client.supports("text_document.semantic_tokens.overlapping_token_support")
    previous_end = None
    for line, start, length, kind, mods in tokens:
        assert kind < len(legend.token_types), f"type {kind} not in the legend"
        assert mods < (1 << len(legend.token_modifiers)), f"modifiers {mods:b} not in the legend"
        assert length > 0
        begin = doc.offset(types.Position(line, start), client.encoding)
        text_line = doc.lines()[line]
        if not multiline:
            assert start + length <= width(text_line, client.encoding), \
                f"token {line}:{start}+{length} runs past its line"
            doc.offset(types.Position(line, start + length), client.encoding)
        if previous_end is not None and not overlapping:
            assert begin >= previous_end, f"overlapping token at {line}:{start}"
        previous_end = begin


async def test_semantic_tokens(client: ConformanceClient, seed: TextDoc):
    legend = client.init_result.capabilities.semantic_tokens_provider.legend
    full = await ask(client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc_id(seed))))
    assert full is not None and full.data
    tokens = decode_tokens(full.data)
    check_tokens(client, seed, tokens)
    marker = at_marker_1(client, seed, 0)
    kinds = {legend.token_types[k] for (l, s, _, k, _) in tokens
             if (l, s) == (marker.line, marker.character)}
    assert "noteMarker" in kinds, f"no noteMarker token at the 〔1〕 marker {marker}: {kinds}"
    heading = seed.pos("一、戰略性接近的內外動因", 79, client.encoding)
    assert any((l, s) == (heading.line, heading.character) for (l, s, *_) in tokens)

    # A range: the tokens of the full answer that lie in it.
    range_ = types.Range(types.Position(100, 0), types.Position(130, 0))
    part = await ask(client.text_document_semantic_tokens_range_async(
        types.SemanticTokensRangeParams(text_document=doc_id(seed), range=range_)))
    assert part is not None and part.data
    in_range = decode_tokens(part.data)
    check_tokens(client, seed, in_range)
    expected = [t for t in tokens if 100 <= t[0] < 130]
    assert in_range == expected


async def test_semantic_tokens_delta(client: ConformanceClient, seed: TextDoc):
    first = await ask(client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc_id(seed))))
    assert first.result_id, "a server that offers deltas gives result ids"
    # Nothing changed: a delta (empty or not) or full tokens, equal to the first.
    same = await ask(client.text_document_semantic_tokens_full_delta_async(
        types.SemanticTokensDeltaParams(text_document=doc_id(seed),
                                        previous_result_id=first.result_id)))
    assert apply_delta(first, same) == list(first.data)
    previous_id = same.result_id or first.result_id
    previous_data = apply_delta(first, same)
    # A new heading typed before the first one: every token after it moves down two lines.
    at = seed.pos("一、戰略性接近的內外動因", 79, client.encoding)
    client.replace(seed.uri, types.Range(at, at), "〇、新しい見出し\n\n")
    delta = await ask(client.text_document_semantic_tokens_full_delta_async(
        types.SemanticTokensDeltaParams(text_document=doc_id(seed),
                                        previous_result_id=previous_id)))
    assert delta is not None
    fresh = await ask(client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc_id(seed))))
    assert apply_delta(types.SemanticTokens(data=previous_data), delta) == list(fresh.data)
    check_tokens(client, seed, decode_tokens(fresh.data))


def apply_delta(previous: types.SemanticTokens, answer) -> list[int]:
    if isinstance(answer, types.SemanticTokens):
        return list(answer.data)
    assert isinstance(answer, types.SemanticTokensDelta), answer
    data = list(previous.data)
    edits = sorted(answer.edits, key=lambda e: e.start)
    for a, b in zip(edits, edits[1:]):
        assert a.start + a.delete_count <= b.start, "overlapping semantic token edits"
    for edit in reversed(edits):
        assert edit.start + edit.delete_count <= len(data), "an edit past the end of the tokens"
        data[edit.start : edit.start + edit.delete_count] = list(edit.data or [])
    return data
