// The `marginalia` settings section as the server is sent it, and the file patterns of the
// `marginalia` language. Pure (no `vscode` import), so that a plain node test can check it.

import * as path from 'path';
import { minimatch } from 'minimatch';

/**
 * The section as the server gets it (initializationOptions, didChangeConfiguration and
 * workspace/configuration): plain JSON, with every `null` left out. `null` is how the
 * extension declares "the built-in rule" for `headings.levelN` and `noteMarker`; the server
 * takes a missing key as its default, whereas a `null` heading pattern makes it show a warning.
 * The extension's own keys (`server`, `trace`, `filePatterns`) are passed through: the
 * server ignores keys it does not know.
 */
export function serverSettings(section: unknown): Record<string, unknown> {
  const cleaned = withoutNulls(toJson(section));
  return cleaned !== null && typeof cleaned === 'object' && !Array.isArray(cleaned)
    ? (cleaned as Record<string, unknown>)
    : {};
}

function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value) ?? 'null');
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === null) continue;
      out[k] = withoutNulls(v);
    }
    return out;
  }
  return value;
}

/**
 * Whether a file belongs to the `marginalia` language by `marginalia.filePatterns`: a pattern
 * without a slash is matched against the file name (`*.notes.txt`), one with a slash against
 * the path relative to the workspace folder and against the whole path (`**\/notes/*.txt`).
 */
export function matchesFilePatterns(
  fsPath: string,
  patterns: readonly string[],
  workspaceFolder?: string,
): boolean {
  const slashed = fsPath.split(path.sep).join('/');
  const relative =
    workspaceFolder !== undefined
      ? path.relative(workspaceFolder, fsPath).split(path.sep).join('/')
      : undefined;
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || pattern.trim() === '') continue;
    const p = pattern.trim();
    const opts = { dot: true, nocase: process.platform === 'win32' };
    if (!p.includes('/')) {
      if (minimatch(path.basename(fsPath), p, opts)) return true;
    } else if (
      minimatch(slashed, p, opts) ||
      (relative !== undefined && !relative.startsWith('..') && minimatch(relative, p, opts))
    ) {
      return true;
    }
  }
  return false;
}
