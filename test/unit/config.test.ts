import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandLine, UsageError } from '../../src/cli/args.js';
import { helpText } from '../../src/cli/help.js';
import {
  ConfigError,
  commitWaitOf,
  defaultConfig,
  loadConfig,
  makeConfig,
  storeOf,
} from '../../src/config/config.js';
import { readConfigFile } from '../../src/config/config-file.js';
import { OptionSpecs } from '../../src/config/options.js';
import { configurationReference } from '../../src/config/reference.js';

function problems(flags: Record<string, string>, env: Record<string, string> = {}): string[] {
  try {
    loadConfig(flags, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('has working defaults', () => {
    const config = loadConfig({}, {});
    assert.deepEqual(config, defaultConfig());
    assert.equal(config.port, 8080);
    assert.equal(config.redisUrl, '');
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      PORT: '9000',
      REDIS_URL: 'redis://127.0.0.1:7000',
      DATABASE_URL: 'postgres://db/parley',
      PARLEY_MAX_TEXT_LENGTH: '100',
    };
    const config = loadConfig({ port: '9100' }, env);
    assert.equal(config.port, 9100);
    assert.equal(config.redisUrl, 'redis://127.0.0.1:7000');
    assert.equal(config.maxTextLength, 100);
    assert.equal(loadConfig({}, { PARLEY_PORT: '1', PORT: '2' }).port, 1, 'the specific variable wins');
  });

  it('reports every bad value with its source and what is expected', () => {
    const found = problems(
      { port: 'eighty', logLevel: 'loud' },
      { REDIS_URL: 'http://x', PARLEY_HISTORY_SIZE: '-1' },
    );
    assert.equal(found.length, 4);
    assert.match(found.join('\n'), /--port="eighty": must be a whole number/);
    assert.match(found.join('\n'), /--log-level="loud": must be one of/);
    assert.match(found.join('\n'), /REDIS_URL="http:\/\/x": must start with redis:\/\//);
    assert.match(found.join('\n'), /PARLEY_HISTORY_SIZE="-1": must be between 0 and/);
  });

  it('resolves the store, and refuses Redis without a shared database', () => {
    assert.equal(storeOf(loadConfig({}, {})), 'embedded', 'the default keeps conversations on disk');
    assert.equal(storeOf(loadConfig({ databaseUrl: 'postgres://db/p' }, {})), 'postgres');
    assert.equal(storeOf(loadConfig({ store: 'memory' }, {})), 'memory');
    const cluster = { redisUrl: 'redis://127.0.0.1:6379' };
    assert.equal(storeOf(loadConfig({ ...cluster, databaseUrl: 'postgres://db/p' }, {})), 'postgres');
    assert.equal(storeOf(loadConfig({ ...cluster, store: 'redis' }, {})), 'redis', 'an explicit choice');
    assert.match(problems(cluster)[0] ?? '', /several instances need a shared database: give --database-url/);
    assert.match(problems({ ...cluster, store: 'embedded' })[0] ?? '', /cannot be shared through Redis/);
    assert.match(problems({ store: 'postgres' })[0] ?? '', /--store postgres needs --database-url/);
    assert.match(problems({ store: 'redis' })[0] ?? '', /--store redis needs --redis-url/);
    assert.match(problems({ store: 'memory', databaseUrl: 'postgres://db/p' })[0] ?? '', /drop one of them/);
  });

  it('resolves an automatic commit window from the store, and takes a number or auto from the user', () => {
    assert.equal(commitWaitOf(loadConfig({}, {})), 40, 'the embedded store commits fewer, fuller batches');
    assert.equal(commitWaitOf(loadConfig({ databaseUrl: 'postgres://db/p' }, {})), 10);
    assert.equal(commitWaitOf(loadConfig({ commitWaitMs: '0' }, {})), 0, 'a number is taken as it is');
    assert.equal(commitWaitOf(loadConfig({}, { PARLEY_COMMIT_WAIT_MS: 'auto' })), 40);
    assert.match(problems({ commitWaitMs: 'soon' })[0] ?? '', /must be a whole number or auto/);
    assert.match(
      problems({ commitWaitMs: '-1' })[0] ?? '',
      /between 0 and 1000/,
      'the value behind auto is not an input',
    );
  });

  it('rejects out-of-range numbers and bad strings', () => {
    assert.match(problems({ port: '70000' })[0] ?? '', /between 0 and 65535/);
    assert.match(problems({ wsPath: 'ws' })[0] ?? '', /URL path/);
    assert.match(problems({ nodeId: 'a b' })[0] ?? '', /letters, digits/);
    assert.match(problems({ port: '1.5' })[0] ?? '', /whole number/);
  });

  it('checks options against each other', () => {
    assert.match(
      problems({ writeHighWaterBytes: '2000000', sendQueueMaxBytes: '1048576' })[0] ?? '',
      /must not exceed/,
    );
    assert.match(problems({ maxTextLength: '100000', maxPayloadBytes: '65536' })[0] ?? '', /too small/);
  });

  it('builds typed configs for embedding', () => {
    assert.equal(makeConfig({ port: 0, maxTextLength: 10 }).maxTextLength, 10);
    assert.throws(() => makeConfig({ port: -1 }), ConfigError);
  });

  it('parses the command line', () => {
    assert.deepEqual(parseCommandLine(['serve', '--port', '1234', '--redis-url', 'redis://h:1']), {
      command: 'serve',
      flags: { port: '1234', redisUrl: 'redis://h:1' },
    });
    assert.equal(parseCommandLine([]).command, 'serve');
    assert.equal(parseCommandLine(['copy-to-postgres', '--data-dir', 'd']).command, 'copy-to-postgres');
    assert.throws(() => parseCommandLine(['copy-to-postgre']), /did you mean 'parley copy-to-postgres'/);
    assert.equal(parseCommandLine(['--help']).command, 'help');
    assert.throws(() => parseCommandLine(['serve', '--bogus', '1']), UsageError);
    assert.throws(() => parseCommandLine(['fly']), /unknown command 'fly'/);
  });

  it('reads a config file under the environment and the flags', () => {
    const file = { path: 'parley.json', values: { port: 9000, redisPrefix: 'file', logLevel: 'debug' } };
    const config = loadConfig({ port: '9001' }, { PARLEY_REDIS_PREFIX: 'env' }, file);
    assert.equal(config.port, 9001, 'flags win over the file');
    assert.equal(config.redisPrefix, 'env', 'the environment wins over the file');
    assert.equal(config.logLevel, 'debug', 'the file wins over the defaults');
  });

  it('reports bad config file entries with the file and key', () => {
    const bad = { path: 'p.json', values: { port: 'eighty', 'redis-url': 'redis://h:1', historySize: true } };
    try {
      loadConfig({}, {}, bad);
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.sort(), [
        'p.json: historySize: must be a string or a number',
        'p.json: port="eighty": must be a whole number',
        'p.json: redis-url: unknown option (write it as "redisUrl")',
      ]);
    }
    const dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
    writeFileSync(join(dir, 'broken.json'), '{"port": 80,');
    writeFileSync(join(dir, 'list.json'), '[1]');
    assert.throws(() => readConfigFile(join(dir, 'broken.json')), /broken.json is not valid JSON/);
    assert.throws(() => readConfigFile(join(dir, 'list.json')), /must hold one JSON object/);
    assert.throws(() => readConfigFile(join(dir, 'missing.json')), /cannot read config file .*missing.json/);
    assert.deepEqual(parseCommandLine(['serve', '-c', 'x.json']).configFile, 'x.json');
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepts docs/configuration.md's examples as written: the config file, and the flags", () => {
    const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(example, 'a JSON example');
    const config = loadConfig({}, {}, { path: 'parley.json', values: JSON.parse(example) });
    assert.equal(config.databaseUrl, 'postgres://parley@10.0.0.6:5432/parley');
    assert.equal(storeOf(config), 'postgres');
    const line = /1\. a \*\*flag\*\*: `parley serve ([^`]+)`/.exec(docs)?.[1];
    assert.ok(line, 'a command line example');
    const parsed = parseCommandLine(['serve', ...line.split(' ')]);
    assert.equal(storeOf(loadConfig(parsed.flags, {})), 'postgres');
  });

  it('keeps docs/configuration.md in step with the option table', () => {
    const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    assert.ok(
      docs.includes(configurationReference()),
      'docs/configuration.md is out of date: run npm run docs:config',
    );
  });

  it('documents every option in --help', () => {
    const text = helpText('0.0.0');
    for (const spec of Object.values(OptionSpecs)) {
      assert.ok(text.includes(`--${spec.flag} `), spec.flag);
      for (const env of spec.env) assert.ok(text.includes(env), env);
    }
  });
});
