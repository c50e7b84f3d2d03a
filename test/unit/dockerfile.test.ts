/**
 * The image's runtime stage, read from the Dockerfile (no Docker daemon runs the suite): the user the server runs as
 * can write the embedded store's default directory. Before, /app was root's and `docker run parley` stopped at start
 * ("cannot use the data directory /app/data: permission denied").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { OptionSpecs } from '../../src/config/options.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function runtimeStage(): string[] {
  const text = readFileSync(`${ROOT}Dockerfile`, 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const from = lines.findLastIndex((line) => /^FROM\s/i.test(line));
  return lines.slice(from);
}

describe('Dockerfile', () => {
  it("makes the embedded store's default directory for the user the server runs as, and declares it a volume", () => {
    const stage = runtimeStage();
    const workdir = stage.find((line) => /^WORKDIR\s/.test(line))?.split(/\s+/)[1];
    const userAt = stage.findIndex((line) => /^USER\s/.test(line));
    assert.ok(workdir && userAt > 0, 'a WORKDIR and a USER in the runtime stage');
    const user = stage[userAt].split(/\s+/)[1];
    const dataDir = posix.join(workdir, String(OptionSpecs.dataDir.default));
    const made = stage
      .slice(0, userAt)
      .some(
        (line) => line.startsWith('RUN ') && line.includes(`install -d -o ${user} -g ${user} ${dataDir}`),
      );
    assert.ok(made, `${dataDir} is made for ${user} before USER ${user}`);
    assert.ok(stage.some((line) => line === `VOLUME ${dataDir}`));
    assert.deepEqual(stage.at(-1), 'CMD ["node", "dist/src/cli.js", "serve"]');
  });
});
