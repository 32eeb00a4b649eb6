// Finding the marginalia server binary. Pure (no `vscode` import), so that a plain node test
// can check it: the setting, else the binary bundled in the extension, else `marginalia` on PATH.

import * as fs from 'fs';
import * as path from 'path';

export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerLookup =
  | { kind: 'found'; path: string; source: ServerSource }
  | { kind: 'error'; message: string };

export interface LookupInput {
  /** `marginalia.server.path` as the user wrote it ('' or undefined when unset). */
  configuredPath: string | undefined;
  /** The extension's install folder (`context.extensionPath`). */
  extensionPath: string;
  /** The first workspace folder, for a relative or `${workspaceFolder}` setting. */
  workspaceFolder?: string;
  /** `process.env.PATH`. */
  envPath: string | undefined;
  /** `process.env.PATHEXT` (Windows only). */
  envPathExt?: string;
  platform: NodeJS.Platform;
  homeDir: string;
  /** Whether a file exists and may be run; replaceable in tests. */
  isExecutable?: (file: string) => boolean;
}

export const INSTALL_HINT =
  'Install it with "cargo install --path ." in a clone of the marginalia repository ' +
  '(it goes to ~/.cargo/bin, which must be on PATH), ' +
  'or set marginalia.server.path to the marginalia binary.';

export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'marginalia.exe' : 'marginalia';
}

/** Where `npm run package` puts the bundled binary inside the extension. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, 'server', binaryName(platform));
}

export function defaultIsExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `~`, `${userHome}` and `${workspaceFolder}` expanded; a relative path taken from the workspace folder. */
export function expandConfiguredPath(
  configured: string,
  homeDir: string,
  workspaceFolder: string | undefined,
): string {
  let p = configured.trim();
  p = p.replace(/\$\{userHome\}/g, homeDir);
  if (workspaceFolder !== undefined) p = p.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (p === '~') p = homeDir;
  else if (p.startsWith('~/') || p.startsWith('~\\')) p = path.join(homeDir, p.slice(2));
  if (!path.isAbsolute(p) && workspaceFolder !== undefined && /[\\/]/.test(p)) {
    p = path.join(workspaceFolder, p);
  }
  return p;
}

/** The first `marginalia` on PATH, as a shell would find it. */
export function searchPath(
  envPath: string | undefined,
  platform: NodeJS.Platform,
  isExecutable: (file: string) => boolean,
  envPathExt?: string,
  name = 'marginalia',
): string | undefined {
  if (!envPath) return undefined;
  const sep = platform === 'win32' ? ';' : ':';
  const exts =
    platform === 'win32'
      ? (envPathExt || '.EXE;.CMD;.BAT').split(';').filter((e) => e.length > 0)
      : [''];
  for (const dir of envPath.split(sep)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

export function findServer(input: LookupInput): ServerLookup {
  const isExecutable = input.isExecutable ?? defaultIsExecutable;
  const configured = input.configuredPath?.trim();
  if (configured) {
    const expanded = expandConfiguredPath(configured, input.homeDir, input.workspaceFolder);
    if (!path.isAbsolute(expanded) && !/[\\/]/.test(expanded)) {
      // A bare name: looked up on PATH, like a shell would.
      const onPath = searchPath(input.envPath, input.platform, isExecutable, input.envPathExt, expanded);
      if (onPath) return { kind: 'found', path: onPath, source: 'setting' };
    } else if (isExecutable(expanded)) {
      return { kind: 'found', path: expanded, source: 'setting' };
    }
    return {
      kind: 'error',
      message:
        `Marginalia: the setting marginalia.server.path is "${configured}", but no executable ` +
        `file is there. Correct the setting, or clear it to use the server bundled with the ` +
        `extension or "marginalia" on PATH.`,
    };
  }
  const bundled = bundledServerPath(input.extensionPath, input.platform);
  if (isExecutable(bundled)) return { kind: 'found', path: bundled, source: 'bundled' };
  const onPath = searchPath(input.envPath, input.platform, isExecutable, input.envPathExt);
  if (onPath) return { kind: 'found', path: onPath, source: 'path' };
  return {
    kind: 'error',
    message:
      'Marginalia: the language server "marginalia" was not found (marginalia.server.path is ' +
      'not set, no server is bundled with this extension, and none is on PATH). ' +
      INSTALL_HINT,
  };
}
