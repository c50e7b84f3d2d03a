import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startNode } from '../helpers/nodes.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const README_URL = 'ws://localhost:8080/ws';

/** Runs a command to its end; fails the test with its output when it fails. */
function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`,
  );
  return result.stdout;
}

/** The version of a package this repository has installed (so `npm install` finds it in npm's cache). */
function installed(name: string): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/** The README's SDK example, exactly as written (the first TypeScript block of its "The SDK" section). */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The SDK'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block?.[1], 'README has a TypeScript example under "The SDK"');
  return block[1];
}

/** A fresh project with the SDK installed from `source` (a tarball in it, or the package's folder), and ws. */
function projectWith(project: string, source: string): void {
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'readme-example', private: true, type: 'module' }),
  );
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      source,
      `ws@${installed('ws')}`,
      `@types/ws@${installed('@types/ws')}`,
      `@types/node@${installed('@types/node')}`,
    ],
    project,
  );
}

describe('the SDK as a package', () => {
  it("installs from the folder of a checkout, building itself on the way (the README's first way)", async () => {
    const project = mkdtempSync(join(tmpdir(), 'parley-sdk-folder-'));
    after(() => rmSync(project, { recursive: true, force: true }));
    // A fresh checkout has no built package: installing the folder runs its prepare script, which builds it.
    rmSync(join(ROOT, 'client', 'dist'), { recursive: true, force: true });
    projectWith(project, join(ROOT, 'client'));
    writeFileSync(
      join(project, 'check.mjs'),
      "import { ParleyClient, ErrorCodes } from '@parley/client'; console.log(typeof ParleyClient, typeof ErrorCodes);",
    );
    assert.equal(run(process.execPath, ['check.mjs'], project).trim(), 'function object');
  });

  it('packs, installs into a fresh project and runs the README example as written', async () => {
    const node = await startNode({ store: 'memory' });
    const project = mkdtempSync(join(tmpdir(), 'parley-sdk-'));
    after(() => rmSync(project, { recursive: true, force: true }));
    // `npm pack` builds the package (its prepare script) and leaves the tarball a user would install.
    const tarball = run(
      'npm',
      ['pack', '--silent', '--pack-destination', project],
      join(ROOT, 'client'),
    ).trim();
    assert.match(tarball, /^parley-client-.*\.tgz$/);
    projectWith(project, `./${tarball}`);
    // The example as written; only the server's address differs (tests use free ports).
    const example = readmeExample();
    assert.ok(example.includes(README_URL));
    writeFileSync(join(project, 'example.ts'), example.replace(README_URL, node.wsUrl));
    // Type-checked as a user's project would be: strict, Node's types only (no DOM), the package's own .d.ts
    // checked too (no skipLibCheck).
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          outDir: 'out',
        },
        include: ['example.ts'],
      }),
    );
    run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], project);
    // Run asynchronously: the server it talks to is in this process.
    const { stdout: output } = await promisify(execFile)(process.execPath, ['out/example.js'], {
      cwd: project,
      timeout: 30_000,
    });
    assert.match(output, /#lobby Alice: Hello!/);
    assert.match(output, /lobby 1 \[ 'Alice' \]/, 'the presence event: room, count, users');
    assert.match(output, /now in Team/);
  });
});
