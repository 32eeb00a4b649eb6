// npm run package [-- --no-server]
//
// Builds dist/extension.js (minified) and packages the extension with @vscode/vsce.
// With a server binary at hand ($MARGINALIA_SERVER, else <repo>/target/release/marginalia),
// it is copied to server/marginalia and the package is platform-specific
// (marginalia-<target>-<version>.vsix, e.g. --target linux-x64); without one (or with
// --no-server) the package is universal (marginalia-<version>.vsix) and the extension finds
// the server through the marginalia.server.path setting or PATH.
// Prints the .vsix path as its last line.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(here);
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const exe = process.platform === 'win32' ? '.exe' : '';
const noServer = process.argv.includes('--no-server');

function run(cmd, args) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
}

function vsceTarget() {
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'armhf' }[process.arch];
  if (!arch) return undefined;
  if (process.platform === 'linux') {
    const musl = !process.report?.getReport?.().header?.glibcVersionRuntime;
    return `${musl ? 'alpine' : 'linux'}-${arch}`;
  }
  if (process.platform === 'darwin' || process.platform === 'win32') return `${process.platform}-${arch}`;
  return undefined;
}

run(process.execPath, ['esbuild.mjs', '--production']);

fs.rmSync('server', { recursive: true, force: true });
const source = process.env.MARGINALIA_SERVER
  ? path.resolve(process.env.MARGINALIA_SERVER)
  : path.resolve(here, '..', '..', 'target', 'release', `marginalia${exe}`);
const target = vsceTarget();
let out;
const vsce = path.join('node_modules', '.bin', `vsce${process.platform === 'win32' ? '.cmd' : ''}`);
const common = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license'];

if (!noServer && fs.existsSync(source) && target) {
  fs.mkdirSync('server');
  const dest = path.join('server', `marginalia${exe}`);
  fs.copyFileSync(source, dest);
  fs.chmodSync(dest, 0o755);
  console.log(`bundling the server ${source} (${(fs.statSync(dest).size / 1e6).toFixed(1)} MB) for ${target}`);
  out = `marginalia-${target}-${pkg.version}.vsix`;
  run(vsce, [...common, '--target', target, '-o', out]);
} else {
  if (!noServer) {
    console.log(
      process.env.MARGINALIA_SERVER
        ? `MARGINALIA_SERVER=${process.env.MARGINALIA_SERVER} does not exist`
        : `no server at ${source} (build it with \`cargo build --release\`, or set MARGINALIA_SERVER)`,
    );
    if (process.env.MARGINALIA_SERVER) process.exit(1);
  }
  console.log('packaging without a server: it is found through marginalia.server.path or PATH');
  out = `marginalia-${pkg.version}.vsix`;
  run(vsce, [...common, '-o', out]);
}
console.log(path.join(here, out));
