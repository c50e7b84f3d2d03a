#!/usr/bin/env node
// Runs the compiled test files (dist/test/<group>/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.mjs [group ...]   (default: every group)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'dist/test';
const groups = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
};
for (const group of groups.length > 0 ? groups : readdirSync(root).sort()) {
  if (group !== 'helpers' && statSync(join(root, group)).isDirectory()) walk(join(root, group));
}
if (files.length === 0) {
  console.error('no test files found: run npm run build first');
  process.exit(1);
}
// One test file at a time by default: files start clusters, browsers and thousands of clients on a 2-core
// machine, and two at once made timing-sensitive tests flaky. PARLEY_TEST_CONCURRENCY=2 is faster locally.
const concurrency = process.env.PARLEY_TEST_CONCURRENCY ?? '1';
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
