// Stages a production install of pipescope in a folder: the compiled dist/src, package.json, the lock
// file and `npm ci --omit=dev` (no devDependencies: no emulators, no CDK). The same steps as the
// Dockerfile's deps and runtime stages. Used for the processor Lambda's code asset (infra/) and by the
// production e2e test. Needs a current dist/ (`npm run build`).
//
//   node scripts/stage-production.mjs <folder>
//
// npm runs with --prefer-offline: once `npm ci` has filled npm's cache, staging needs no network.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: node scripts/stage-production.mjs <folder>\n');
  process.exit(64);
}
const out = resolve(target);
const built = join(root, 'dist', 'src', 'main.js');
if (!existsSync(built)) {
  process.stderr.write(`stage-production: ${built} is missing; run \`npm run build\` first\n`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'dist'), { recursive: true });
cpSync(join(root, 'dist', 'src'), join(out, 'dist', 'src'), { recursive: true });
for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(out, file));

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = Date.now();
const run = spawnSync(
  npm,
  ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
  { cwd: out, stdio: ['ignore', 'inherit', 'inherit'] },
);
if (run.status !== 0) {
  process.stderr.write(`stage-production: npm ci --omit=dev failed (exit ${run.status ?? run.signal})\n`);
  process.exit(1);
}
process.stdout.write(`staged a production install in ${out} (${Date.now() - started} ms)\n`);
