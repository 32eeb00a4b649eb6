// The e2e self-test: runs inside VS Code (code-server), next to the marginalia extension, when
// test/run.sh triggers "Marginalia E2E: Run Self-Test" from the command palette. It checks the
// extension through VS Code's own API (getDiagnostics, vscode.execute*Provider, commands) and
// writes every check to the JSON file named by `marginaliaSelftest.resultFile`.
'use strict';

const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'marginalia.marginalia';
const FORM_CODES = {
  warning: ['unbalanced-punctuation', 'half-width-punctuation'],
  hint: ['page-break-space', 'hard-wrap', 'broken-url'],
};
const SEVERITY = ['error', 'warning', 'info', 'hint'];
const MARKER = /〔(\d{1,3})〕/g;
const NOTES_TITLE = /^\s*(註釋|注釋|注释)\s*[：:]?\s*$/;

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('marginaliaSelftest.run', run),
    vscode.commands.registerCommand('marginaliaSelftest.breakServerPath', () => setServerPath('/nonexistent/marginalia')),
    vscode.commands.registerCommand('marginaliaSelftest.restoreServerPath', restoreServerPath),
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs = 30000, intervalMs = 200) {
  const start = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function codeOf(d) {
  return d.code !== null && typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function describe(d) {
  return {
    line: d.range.start.line + 1,
    character: d.range.start.character,
    endLine: d.range.end.line + 1,
    endCharacter: d.range.end.character,
    severity: SEVERITY[d.severity],
    code: codeOf(d),
    source: d.source,
    message: d.message,
  };
}

function bySeverity(diags) {
  const out = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const d of diags) out[SEVERITY[d.severity]]++;
  return out;
}

/** Markers in the text and entries in 註釋, read from the text itself (not from the server). */
function readNotes(text) {
  const lines = text.split(/\r?\n/);
  const markers = [];
  const entries = [];
  let inNotes = false;
  lines.forEach((line, i) => {
    if (NOTES_TITLE.test(line)) {
      inNotes = true;
      return;
    }
    if (inNotes) {
      const m = /^\s*〔(\d{1,3})〕/.exec(line);
      if (m) entries.push({ number: Number(m[1]), line: i, text: line.slice(m.index + m[0].length).trim() });
      return;
    }
    for (const m of line.matchAll(MARKER)) markers.push({ number: Number(m[1]), line: i, character: m.index });
  });
  return { lines, markers, entries };
}

function flattenSymbols(symbols, depth = 0, out = []) {
  for (const s of symbols || []) {
    const range = s.selectionRange || s.location?.range;
    out.push({ line: range.start.line + 1, depth, name: s.name });
    flattenSymbols(s.children, depth + 1, out);
  }
  return out;
}

async function openShown(uri) {
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  return { doc, editor };
}

async function run() {
  const cfg = vscode.workspace.getConfiguration('marginaliaSelftest');
  const resultFile = cfg.get('resultFile');
  const fixtures = cfg.get('fixtures');
  const result = { started: new Date().toISOString(), checks: [], data: {} };
  const check = (name, ok, detail, extra = {}) => {
    result.checks.push({ name, ok: Boolean(ok), detail: detail === undefined ? undefined : detail, ...extra });
  };
  const t0 = Date.now();
  try {
    await steps(check, result.data, fixtures);
  } catch (err) {
    check('the self-test ran to its end', false, String(err && err.stack ? err.stack : err));
  }
  result.elapsedMs = Date.now() - t0;
  if (resultFile) {
    fs.writeFileSync(`${resultFile}.tmp`, JSON.stringify(result, null, 1));
    fs.renameSync(`${resultFile}.tmp`, resultFile);
  }
  return result;
}

async function steps(check, data, fixtures) {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  const file = (name) => vscode.Uri.joinPath(folder.uri, name);
  const seedName = vscode.workspace.getConfiguration('marginaliaSelftest').get('seed');
  const seedUri = file(seedName);

  // --- The seed opens as plain text, with the extension active and its server running.
  const { doc: seed } = await openShown(seedUri);
  check('the seed opens as plaintext', seed.languageId === 'plaintext', seed.languageId);
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  check('the marginalia extension is installed', Boolean(ext));
  if (!ext) return;
  await ext.activate();
  check('the marginalia extension is active', ext.isActive);
  data.extensionPath = ext.extensionPath;
  data.bundledServer = fs.existsSync(path.join(ext.extensionPath, 'server', 'marginalia'));

  const commands = await vscode.commands.getCommands(true);
  const wanted = [
    'marginalia.palette.insertNote',
    'marginalia.palette.renumberNotes',
    'marginalia.palette.reflowParagraphs',
    'marginalia.palette.repairScars',
    'marginalia.restartServer',
    'marginalia.showOutput',
    'marginalia.insertNote', // registered by vscode-languageclient for the server's command
  ];
  const absent = wanted.filter((c) => !commands.includes(c));
  check('the commands are registered (palette ones and the server\'s)', absent.length === 0, absent.length ? `missing: ${absent.join(', ')}` : undefined);

  // --- Diagnostics: the errors are exactly the 13 missing notes, the rest form-check warnings and hints.
  const notes = readNotes(seed.getText());
  const entryNumbers = new Set(notes.entries.map((e) => e.number));
  const missing = notes.markers.filter((m) => !entryNumbers.has(m.number));
  const missingNumbers = [...new Set(missing.map((m) => m.number))];
  check(
    'the seed, read as text, cites notes 〔5〕…〔17〕 that 註釋 lacks',
    JSON.stringify(missingNumbers) === JSON.stringify([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]),
    missingNumbers.join(','),
  );
  const expectedErrors = missing.map((m) => `${m.line + 1}:${m.character} missing-note`);
  let diags = [];
  await waitFor(
    'the seed\'s diagnostics (13 errors, then stable)',
    async () => {
      const now = vscode.languages.getDiagnostics(seedUri);
      const stable = now.length > 0 && now.length === diags.length && bySeverity(now).error === expectedErrors.length;
      diags = now;
      return stable;
    },
    60000,
    1000,
  );
  data.seedDiagnostics = diags.map(describe);
  data.seedCounts = bySeverity(diags);
  const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  const actualErrors = errors.map((d) => `${d.range.start.line + 1}:${d.range.start.character} ${codeOf(d)}`);
  check(
    'the Error diagnostics are exactly the 13 missing-note ones, at the markers 〔5〕…〔17〕',
    JSON.stringify(actualErrors) === JSON.stringify(expectedErrors),
    { expected: expectedErrors, actual: actualErrors },
  );
  check(
    'each missing-note message names its note',
    errors.every((d, i) => missing[i] && d.message.includes(`〔${missing[i].number}〕`)),
    errors.map((d) => d.message).slice(0, 3),
  );
  const others = diags.filter((d) => d.severity !== vscode.DiagnosticSeverity.Error);
  const stray = others.filter((d) => {
    const sev = SEVERITY[d.severity];
    return !(FORM_CODES[sev] || []).includes(codeOf(d));
  });
  check(
    'everything else is a warning (typography) or a hint (PDF scars)',
    stray.length === 0,
    { counts: data.seedCounts, stray: stray.map(describe) },
  );

  // --- Document symbols: the seed's outline.
  const expectedOutline = JSON.parse(fs.readFileSync(path.join(fixtures, 'seed-outline.json'), 'utf8'));
  const symbols = await waitFor('document symbols', async () => {
    const s = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', seedUri);
    return s && s.length ? s : undefined;
  });
  const outline = flattenSymbols(symbols);
  data.outline = outline;
  check(
    'the document symbols are the seed\'s outline (headings nested, 註釋 with its 4 notes)',
    JSON.stringify(outline) === JSON.stringify(expectedOutline),
    { expected: expectedOutline.length, actual: outline.length, firstDifference: firstDifference(expectedOutline, outline) },
  );

  // --- Definition and hover on 〔1〕, line 118.
  const line118 = seed.lineAt(117).text;
  const at = line118.indexOf('〔1〕');
  check('line 118 holds the marker 〔1〕', at >= 0, line118.slice(0, 40));
  const markerPos = new vscode.Position(117, at + 1);
  const defs = await vscode.commands.executeCommand('vscode.executeDefinitionProvider', seedUri, markerPos);
  const targets = (defs || []).map((d) => {
    const uri = d.targetUri || d.uri;
    const range = d.targetSelectionRange || d.targetRange || d.range;
    return { uri: uri.toString(), line: range.start.line + 1, character: range.start.character };
  });
  data.definition = targets;
  const EXPECTED_DEFINITION_LINE = 886;
  check(
    `the definition of 〔1〕 on line 118 is line ${EXPECTED_DEFINITION_LINE}`,
    targets.length === 1 && targets[0].uri === seedUri.toString() && targets[0].line === EXPECTED_DEFINITION_LINE,
    targets,
  );
  const entry1 = notes.entries.find((e) => e.number === 1);
  const noteStart = entry1 ? entry1.text.slice(0, 20) : '(no entry 1)';
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', seedUri, markerPos);
  const hoverText = (hovers || [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
  data.hover = hoverText;
  check(
    'the hover on 〔1〕 shows the note\'s text',
    hoverText.includes(noteStart) && hoverText.includes('ARAB NEWS'),
    { expectedToContain: [noteStart, 'ARAB NEWS'], hover: hoverText.slice(0, 300) },
  );

  // --- Silent on plain English text.
  const englishUri = file('english.txt');
  const { doc: english } = await openShown(englishUri);
  check('english.txt opens as plaintext (so the server is attached)', english.languageId === 'plaintext', english.languageId);
  // The server has the document once it answers a request about it; then allow a pull.
  const englishSymbols = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', englishUri);
  await sleep(3000);
  const englishDiags = vscode.languages.getDiagnostics(englishUri);
  data.englishDiagnostics = englishDiags.map(describe);
  check('plain English text: no symbols', !englishSymbols || englishSymbols.length === 0, englishSymbols);
  check(
    'plain English text: no errors, warnings or information',
    englishDiags.every((d) => d.severity === vscode.DiagnosticSeverity.Hint),
    englishDiags.map(describe),
  );
  check('plain English text: no diagnostics at all', englishDiags.length === 0, englishDiags.map(describe));

  // --- *.notes.txt opens as the marginalia language, and the server serves it.
  const chapterUri = file('chapter.notes.txt');
  await openShown(chapterUri);
  const chapter = await waitFor(
    'chapter.notes.txt to become the marginalia language',
    async () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === chapterUri.toString() && d.languageId === 'marginalia'),
    10000,
  ).catch(() => undefined);
  check('chapter.notes.txt is the marginalia language (marginalia.filePatterns)', Boolean(chapter),
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === chapterUri.toString())?.languageId);
  const chapterSymbols = await waitFor('chapter.notes.txt symbols', async () => {
    const s = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', chapterUri);
    return s && s.length ? s : undefined;
  }, 15000).catch(() => []);
  data.chapterOutline = flattenSymbols(chapterSymbols);
  check('the server serves the marginalia language too (symbols of chapter.notes.txt)',
    data.chapterOutline.map((s) => s.name).join('|') === '一、開頭|二、結尾|註釋|〔1〕 甲的註。|〔2〕 乙的註。',
    data.chapterOutline.map((s) => s.name));

  if (chapter) {
    // The user picks Plain Text for it: the choice stays (the pattern is not applied again).
    await vscode.languages.setTextDocumentLanguage(chapter, 'plaintext');
    await sleep(1500);
    const now = vscode.workspace.textDocuments.find((d) => d.uri.toString() === chapterUri.toString());
    check('a language the user picks for a *.notes.txt file stays', now && now.languageId === 'plaintext', now && now.languageId);
  }

  // --- marginalia.trace.server: the LSP traffic of what follows goes to the output channel
  // (the driver looks for it there).
  await vscode.workspace.getConfiguration('marginalia').update('trace.server', 'messages', vscode.ConfigurationTarget.Global);

  // --- Insert Note from the palette command, at the cursor after 〔1〕。 on line 118 (a copy of the seed).
  const insertUri = file('insert.txt');
  const { doc: insertDoc, editor: insertEditor } = await openShown(insertUri);
  const before = readNotes(insertDoc.getText());
  const cursor = new vscode.Position(117, at + 4); // after 〔1〕。
  insertEditor.selection = new vscode.Selection(cursor, cursor);
  const version = insertDoc.version;
  await vscode.commands.executeCommand('marginalia.palette.insertNote');
  await waitFor('Insert Note to edit the document', async () => insertDoc.version !== version, 15000).catch(() => undefined);
  const after = readNotes(insertDoc.getText());
  const insertedAt = insertDoc.lineAt(117).text.slice(at + 4, at + 7);
  const labels = after.entries.map((e) => e.number);
  const old2 = after.entries.find((e) => e.text.startsWith('The United States'));
  data.insert = {
    markersBefore: before.markers.length,
    markersAfter: after.markers.length,
    entriesBefore: before.entries.length,
    entriesAfter: after.entries.length,
    insertedAt,
    labels,
    line118: insertDoc.lineAt(117).text.slice(0, at + 10),
  };
  check(
    'Insert Note: a marker 〔2〕 at the cursor, an entry 〔2〕 in 註釋, the later notes renumbered',
    insertedAt === '〔2〕' &&
      after.markers.length === before.markers.length + 1 &&
      after.entries.length === before.entries.length + 1 &&
      JSON.stringify(labels) === JSON.stringify([1, 2, 3, 4, 5]) &&
      old2 && old2.number === 3,
    data.insert,
  );

  // --- Renumber Notes from the palette command.
  const renumberUri = file('renumber.txt');
  const { doc: renumberDoc } = await openShown(renumberUri);
  const renumberVersion = renumberDoc.version;
  await vscode.commands.executeCommand('marginalia.palette.renumberNotes');
  await waitFor('Renumber Notes to edit the document', async () => renumberDoc.version !== renumberVersion, 15000).catch(() => undefined);
  const expectedRenumbered = fs.readFileSync(path.join(fixtures, 'renumber.expected.txt'), 'utf8');
  check('Renumber Notes: the text is what `marginalia renumber` prints', renumberDoc.getText() === expectedRenumbered,
    { actual: renumberDoc.getText() });

  await vscode.workspace.getConfiguration('marginalia').update('trace.server', undefined, vscode.ConfigurationTarget.Global);

  // --- Reflow Paragraphs and Repair PDF Scars from the palette (on copies of the seed).
  for (const [name, command] of [
    ['reflow.txt', 'marginalia.palette.reflowParagraphs'],
    ['repair.txt', 'marginalia.palette.repairScars'],
  ]) {
    const uri = file(name);
    const { doc } = await openShown(uri);
    const hintsBefore = await waitFor(`${name}'s diagnostics`, async () => {
      const c = bySeverity(vscode.languages.getDiagnostics(uri));
      return c.error === 13 ? c : undefined;
    }, 20000).catch(() => bySeverity(vscode.languages.getDiagnostics(uri)));
    const textBefore = doc.getText();
    const outlineBefore = flattenSymbols(await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri));
    const v = doc.version;
    await vscode.commands.executeCommand(command);
    await waitFor(`${command} to edit ${name}`, async () => doc.version !== v, 15000).catch(() => undefined);
    const markersBefore = readNotes(textBefore).markers.map((m) => m.number);
    const markersAfter = readNotes(doc.getText()).markers.map((m) => m.number);
    const outlineAfter = await waitFor(`${name}'s outline after ${command}`, async () => {
      const o = flattenSymbols(await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', uri));
      return o.length ? o : undefined;
    }, 10000).catch(() => []);
    const hintsAfter = await waitFor(`${name}'s hints to drop`, async () => {
      const c = bySeverity(vscode.languages.getDiagnostics(uri));
      return doc.version !== v && c.hint < hintsBefore.hint ? c : undefined;
    }, 15000).catch(() => bySeverity(vscode.languages.getDiagnostics(uri)));
    const detail = {
      lines: [textBefore.split('\n').length, doc.lineCount],
      hints: [hintsBefore.hint, hintsAfter.hint],
      markersKept: JSON.stringify(markersBefore) === JSON.stringify(markersAfter),
      headingsKept: JSON.stringify(outlineBefore.map((o) => o.name)) === JSON.stringify(outlineAfter.map((o) => o.name)),
    };
    data[command] = detail;
    check(
      `${command.replace('marginalia.palette.', '')}: the text changed, fewer PDF-scar hints, headings and markers kept`,
      doc.getText() !== textBefore && hintsAfter.hint < hintsBefore.hint && detail.markersKept && detail.headingsKept,
      detail,
    );
  }

  // --- Settings reach the server: missing-note as a warning, then back.
  const margCfg = () => vscode.workspace.getConfiguration('marginalia');
  await margCfg().update('diagnostics.missing-note', 'warning', vscode.ConfigurationTarget.Global);
  const asWarnings = await waitFor('missing-note as warnings', async () => {
    const c = bySeverity(vscode.languages.getDiagnostics(seedUri));
    return c.error === 0 && c.warning === data.seedCounts.warning + 13 ? c : undefined;
  }, 20000).catch(() => bySeverity(vscode.languages.getDiagnostics(seedUri)));
  check('a settings change reaches the server (missing-note: "warning" → 0 errors)', asWarnings.error === 0, asWarnings);
  await margCfg().update('diagnostics.missing-note', undefined, vscode.ConfigurationTarget.Global);
  const back = await waitFor('missing-note as errors again', async () => {
    const c = bySeverity(vscode.languages.getDiagnostics(seedUri));
    return c.error === 13 ? c : undefined;
  }, 20000).catch(() => bySeverity(vscode.languages.getDiagnostics(seedUri)));
  check('the setting removed, the 13 errors are back', back.error === 13, back);

  // --- Restart Server and Show Output.
  await vscode.commands.executeCommand('marginalia.restartServer');
  const afterRestart = await waitFor('symbols after a restart', async () => {
    const s = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', seedUri);
    return s && s.length ? s : undefined;
  }, 20000).catch(() => []);
  check('Restart Server: the server answers again', flattenSymbols(afterRestart).length === expectedOutline.length,
    flattenSymbols(afterRestart).length);
  await vscode.commands.executeCommand('marginalia.showOutput');
  check('Show Output runs', true);

  // --- The workbench for the screenshot: the seed alone, Outline and Problems open.
  for (const d of vscode.workspace.textDocuments) {
    if (d.isDirty) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const { editor: seedEditor } = await openShown(seedUri);
  seedEditor.selection = new vscode.Selection(markerPos, markerPos);
  seedEditor.revealRange(new vscode.Range(markerPos, markerPos), vscode.TextEditorRevealType.InCenter);
  await vscode.commands.executeCommand('workbench.view.explorer');
  await vscode.commands.executeCommand('outline.focus');
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  await waitFor('the 13 errors after the restart', async () => bySeverity(vscode.languages.getDiagnostics(seedUri)).error === 13, 20000)
    .catch(() => undefined);
  data.finalCounts = bySeverity(vscode.languages.getDiagnostics(seedUri));
  await vscode.window.showTextDocument(seedEditor.document);
}

/** For the driver: a wrong `marginalia.server.path`, then none again (the error path). */
async function setServerPath(value) {
  await vscode.workspace.getConfiguration('marginalia').update('server.path', value, vscode.ConfigurationTarget.Global);
}

async function restoreServerPath() {
  const resultFile = vscode.workspace.getConfiguration('marginaliaSelftest').get('resultFile');
  const seedName = vscode.workspace.getConfiguration('marginaliaSelftest').get('seed');
  const seedUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, seedName);
  await setServerPath(undefined);
  const symbols = await waitFor('symbols once the server is back', async () => {
    const s = await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', seedUri);
    return s && s.length ? s : undefined;
  }, 30000).catch(() => []);
  const out = { checks: [{ name: 'the server path cleared, the server is back (symbols of the seed)', ok: flattenSymbols(symbols).length > 0, detail: flattenSymbols(symbols).length }] };
  fs.writeFileSync(`${resultFile}.restore.tmp`, JSON.stringify(out));
  fs.renameSync(`${resultFile}.restore.tmp`, `${resultFile}.restore.json`);
}

function firstDifference(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return { index: i, expected: a[i], actual: b[i] };
  }
  return undefined;
}

function deactivate() {}

module.exports = { activate, deactivate };
