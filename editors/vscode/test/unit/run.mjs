// npm test: bundles the vscode-free modules (server discovery, settings) for node and runs
// test/unit/*.test.mjs with node's test runner. No VS Code needed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
process.chdir(root);
await esbuild.build({
  entryPoints: ['src/serverPath.ts', 'src/settings.ts'],
  bundle: true,
  outdir: 'out/unit',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
const tests = fs
  .readdirSync('test/unit')
  .filter((f) => f.endsWith('.test.mjs'))
  .map((f) => path.join('test/unit', f));
const r = spawnSync(process.execPath, ['--test', ...tests], { stdio: 'inherit' });
process.exit(r.status ?? 1);
