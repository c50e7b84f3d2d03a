import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { removeQuietly } from './remove-quietly.js';

/**
 * A fresh directory under the system's temp dir, removed after the test or suite that made it. The removal
 * retries while files come and go (a server still writing the directory) and never throws: node:test skips the
 * `after` hooks registered after a hook that threw, and the hooks that kill this test's servers come after this
 * one. A server left running keeps the test file from ever exiting (a CI run hung until its time limit so).
 */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => removeQuietly(dir));
  return dir;
}
