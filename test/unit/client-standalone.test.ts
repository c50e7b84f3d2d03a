/**
 * The SDK builds and works without the server's code: nothing under client/ imports from outside it, so the wire
 * vocabulary (client/wire/) is the one home the server, the SDK and the web UI share.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../client');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the SDK stands alone', () => {
  it('imports nothing from outside client/ (but packages)', () => {
    const files = sources(CLIENT);
    assert.ok(files.length > 5, `found the SDK sources in ${CLIENT}`);
    const escapes: string[] = [];
    for (const file of files) {
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
        if (!specifier?.startsWith('.')) continue;
        const target = relative(CLIENT, resolve(dirname(file), specifier));
        if (target.startsWith('..')) escapes.push(`${relative(CLIENT, file)} → ${specifier}`);
      }
    }
    assert.deepEqual(escapes, []);
  });
});
