import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { serverSettings, matchesFilePatterns } = require('../../out/unit/settings.cjs');

test('nulls (the built-in rules) are left out, everything else passes through', () => {
  const section = {
    server: { path: '' },
    trace: { server: 'off' },
    headings: { level1: null, level2: '[A-Z]\\. ', level3: null },
    noteMarker: null,
    notesTitles: ['註釋', '注釋', '注释'],
    markerStylesOff: ['superscript'],
    diagnostics: { 'missing-note': 'error', 'hard-wrap': 'off' },
    checks: { notes: true, pdfScars: false, typography: true },
    maxProblems: 1000,
    get() {}, // a WorkspaceConfiguration has methods; JSON leaves them out
  };
  assert.deepEqual(serverSettings(section), {
    server: { path: '' },
    trace: { server: 'off' },
    headings: { level2: '[A-Z]\\. ' },
    notesTitles: ['註釋', '注釋', '注释'],
    markerStylesOff: ['superscript'],
    diagnostics: { 'missing-note': 'error', 'hard-wrap': 'off' },
    checks: { notes: true, pdfScars: false, typography: true },
    maxProblems: 1000,
  });
  assert.deepEqual(serverSettings(undefined), {});
  assert.deepEqual(serverSettings(null), {});
});

test('file patterns: without a slash on the name, with one on the path in the workspace', () => {
  assert.ok(matchesFilePatterns('/ws/a/b/chapter.notes.txt', ['*.notes.txt'], '/ws'));
  assert.ok(!matchesFilePatterns('/ws/a/b/chapter.txt', ['*.notes.txt'], '/ws'));
  assert.ok(matchesFilePatterns('/ws/books/one.txt', ['books/*.txt'], '/ws'));
  assert.ok(matchesFilePatterns('/ws/x/books/one.txt', ['**/books/*.txt'], '/ws'));
  assert.ok(!matchesFilePatterns('/elsewhere/books/one.txt', ['books/*.txt'], '/ws'));
  assert.ok(matchesFilePatterns('/ws/.hidden.notes.txt', ['*.notes.txt'], '/ws'));
  assert.ok(!matchesFilePatterns('/ws/a.notes.txt', [], '/ws'));
  assert.ok(!matchesFilePatterns('/ws/a.notes.txt', ['', '  '], '/ws'));
});
