#!/usr/bin/env node
// The `parley` command (`npx parley …`, `npm start`): builds once when the build is missing or older than the
// sources, then runs the CLI. A start after `npm ci` builds (about 15 s); every later start is immediate.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['src', 'client', 'web', 'bench', 'package.json', 'package-lock.json', 'tsconfig.json'];
const SKIP = new Set(['node_modules', 'dist']);

/** The newest modification time under a path (files only). */
function newest(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (!SKIP.has(entry)) latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...SOURCES.map((source) => newest(join(root, source))));
if (built === 0 || changed > built) {
  process.stderr.write(
    built === 0
      ? 'parley: building (first start)…\n'
      : 'parley: building (sources changed since the last build)…\n',
  );
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write('parley: the build failed (see above)\n');
    process.exit(1);
  }
}
await import('../dist/src/cli.js');
