import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { findServer, searchPath, expandConfiguredPath, bundledServerPath } = require('../../out/unit/serverPath.cjs');

// A fake file system: the set of executable files.
function fake(...files) {
  const set = new Set(files);
  return (f) => set.has(f);
}
const base = {
  extensionPath: '/ext',
  workspaceFolder: '/ws',
  envPath: '/usr/local/bin:/usr/bin',
  platform: 'linux',
  homeDir: '/home/me',
};

test('the setting comes first, even with a bundled server and one on PATH', () => {
  const r = findServer({
    ...base,
    configuredPath: '/opt/m/marginalia',
    isExecutable: fake('/opt/m/marginalia', '/ext/server/marginalia', '/usr/bin/marginalia'),
  });
  assert.deepEqual(r, { kind: 'found', path: '/opt/m/marginalia', source: 'setting' });
});

test('then the bundled server', () => {
  const r = findServer({
    ...base,
    configuredPath: '',
    isExecutable: fake('/ext/server/marginalia', '/usr/bin/marginalia'),
  });
  assert.deepEqual(r, { kind: 'found', path: '/ext/server/marginalia', source: 'bundled' });
});

test('then the first marginalia on PATH', () => {
  const r = findServer({
    ...base,
    configuredPath: undefined,
    isExecutable: fake('/usr/bin/marginalia', '/usr/local/bin/marginalia'),
  });
  assert.deepEqual(r, { kind: 'found', path: '/usr/local/bin/marginalia', source: 'path' });
});

test('none found: one message that says how to install it', () => {
  const r = findServer({ ...base, configuredPath: '  ', isExecutable: fake() });
  assert.equal(r.kind, 'error');
  assert.match(r.message, /not found/);
  assert.match(r.message, /cargo install --path \./);
  assert.match(r.message, /marginalia\.server\.path/);
});

test('a setting that points at nothing is an error naming the setting, not a silent fallback', () => {
  const r = findServer({
    ...base,
    configuredPath: '/nowhere/marginalia',
    isExecutable: fake('/ext/server/marginalia'),
  });
  assert.equal(r.kind, 'error');
  assert.match(r.message, /marginalia\.server\.path/);
  assert.match(r.message, /\/nowhere\/marginalia/);
});

test('~, ${userHome} and ${workspaceFolder} are expanded; a relative path is from the workspace', () => {
  assert.equal(expandConfiguredPath('~/bin/marginalia', '/home/me', '/ws'), '/home/me/bin/marginalia');
  assert.equal(expandConfiguredPath('${userHome}/m', '/home/me', '/ws'), '/home/me/m');
  assert.equal(expandConfiguredPath('${workspaceFolder}/target/release/marginalia', '/h', '/ws'), '/ws/target/release/marginalia');
  assert.equal(expandConfiguredPath('target/release/marginalia', '/h', '/ws'), '/ws/target/release/marginalia');
  const r = findServer({
    ...base,
    configuredPath: 'target/release/marginalia',
    isExecutable: fake('/ws/target/release/marginalia'),
  });
  assert.deepEqual(r, { kind: 'found', path: '/ws/target/release/marginalia', source: 'setting' });
});

test('a bare name in the setting is looked up on PATH', () => {
  const r = findServer({ ...base, configuredPath: 'marginalia-dev', isExecutable: fake('/usr/bin/marginalia-dev') });
  assert.deepEqual(r, { kind: 'found', path: '/usr/bin/marginalia-dev', source: 'setting' });
});

test('Windows: .exe, ; separators and PATHEXT', () => {
  assert.equal(bundledServerPath('/ext', 'win32'), path.join('/ext', 'server', 'marginalia.exe'));
  const found = searchPath('C:\\a;C:\\b', 'win32', fake(path.join('C:\\b', 'marginalia.EXE')), '.COM;.EXE');
  assert.equal(found, path.join('C:\\b', 'marginalia.EXE'));
});

test('the real file system: only an executable file counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-unit-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const plain = path.join(bin, 'marginalia');
    fs.writeFileSync(plain, '#!/bin/sh\n');
    const input = { ...base, extensionPath: dir, envPath: bin, configuredPath: '' };
    if (process.platform !== 'win32') {
      fs.chmodSync(plain, 0o644);
      assert.equal(findServer(input).kind, 'error');
    }
    fs.chmodSync(plain, 0o755);
    assert.deepEqual(findServer(input), { kind: 'found', path: plain, source: 'path' });
    fs.mkdirSync(path.join(dir, 'server'));
    fs.mkdirSync(path.join(dir, 'server', 'marginalia')); // a folder is not a binary
    assert.equal(findServer(input).source, 'path');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
