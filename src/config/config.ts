/**
 * Typed configuration: defaults, a config file, environment and flags merged and validated in one place. A bad
 * value is reported with where it came from (flag, environment variable or file key) and what is expected, never
 * silently clamped.
 */

import type { SearchBounds } from '../log/database-search.js';
import { closest } from '../util/suggest.js';
import { AUTO, type OptionKey, type OptionSpec, OptionSpecs } from './options.js';

type ValueOf<S> = S extends { kind: 'int' } ? number : string;

/** The server's whole configuration. Every limit the server enforces is a field here. */
export type Config = { [K in OptionKey]: ValueOf<(typeof OptionSpecs)[K]> };

/** Raised when configuration is invalid; `problems` holds one readable line per bad value. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Where a raw value came from, for error messages. */
interface RawValue {
  value: string;
  source: string;
}

/** The defaults of every option. */
export function defaultConfig(): Config {
  const entries = Object.entries(OptionSpecs).map(([key, spec]) => [key, spec.default]);
  return Object.fromEntries(entries) as Config;
}

function parseValue(spec: OptionSpec, raw: RawValue): { value?: number | string; problem?: string } {
  const where = `${raw.source}=${JSON.stringify(raw.value)}`;
  if (spec.kind === 'int') {
    const trimmed = raw.value.trim();
    if (spec.auto && trimmed === 'auto') return { value: AUTO };
    if (!/^-?\d+$/.test(trimmed))
      return { problem: `${where}: must be a whole number${spec.auto ? ' or auto' : ''}` };
    const n = Number(trimmed);
    if (n < spec.min || n > spec.max) {
      const unit = spec.unit ? ` ${spec.unit}` : '';
      return { problem: `${where}: must be between ${spec.min} and ${spec.max}${unit}` };
    }
    return { value: n };
  }
  if (spec.kind === 'enum') {
    if (!spec.values.includes(raw.value))
      return { problem: `${where}: must be one of ${spec.values.join(', ')}` };
    return { value: raw.value };
  }
  const problem = spec.check?.(raw.value);
  return problem ? { problem: `${where}: ${problem}` } : { value: raw.value };
}

/**
 * The largest image a `link_preview` answer carries: `--link-preview-image-max-bytes`, unless the answer would not
 * fit the connection's send queue (the image as base64, 4 bytes for 3, in a `data:` URL, and up to 16 KiB of
 * addresses and text around it): a smaller queue leaves larger images out rather than closing the connection.
 */
export function linkPreviewImageBytes(config: Config): number {
  const fits = Math.floor(((config.sendQueueMaxBytes - 16 * 1024) / 4) * 3);
  return Math.max(0, Math.min(config.linkPreviewImageMaxBytes, fits));
}

/** Checks relations between options that no single option can check. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  if (config.writeHighWaterBytes > config.sendQueueMaxBytes) {
    problems.push('--write-high-water-bytes must not exceed --send-queue-max-bytes');
  }
  if (config.maxTextLength * 6 + 1024 > config.maxPayloadBytes) {
    problems.push(
      `--max-payload-bytes (${config.maxPayloadBytes}) is too small for --max-text-length ` +
        `(${config.maxTextLength}): a fully escaped message needs ${config.maxTextLength * 6 + 1024} bytes`,
    );
  }
  if (config.auth === 'jwt') {
    const sources = [config.jwtSecret, config.jwtPublicKeyFile, config.jwtJwksFile].filter(
      (v) => v !== '',
    ).length;
    if (sources !== 1) {
      problems.push('--auth jwt needs exactly one of --jwt-secret, --jwt-public-key-file, --jwt-jwks-file');
    }
  }
  if (config.redisUrl !== '' && config.redisCluster !== '') {
    problems.push('--redis-url and --redis-cluster are exclusive: give one');
  }
  problems.push(...storeProblems(config));
  return problems;
}

/** The store a configuration resolves to (`--store auto` picks PostgreSQL with a database URL, else embedded). */
export function storeOf(config: Config): Exclude<Config['store'], 'auto'> {
  if (config.store !== 'auto') return config.store;
  return config.databaseUrl !== '' ? 'postgres' : 'embedded';
}

/**
 * How long a message waits for others to share its commit: `--commit-wait-ms`, or for `auto` what suits the store.
 * A commit's cost is mostly fixed up to a few messages (PGlite ~0.6-1 ms of CPU, PostgreSQL ~0.25 ms of Parley's
 * plus the server's), so at chat rates waiting for company is what keeps the CPU per message down (measured in
 * docs/benchmarks.md); the embedded store's commits are dearer, so it waits longer. Under load the batch's fill
 * target ends the wait long before (BATCH_SIZES).
 */
export function commitWaitOf(config: Config): number {
  if (config.commitWaitMs !== AUTO) return config.commitWaitMs;
  return storeOf(config) === 'embedded' ? 40 : 10;
}

/** How long a pending invitation lasts, in ms (`--invitation-ttl-days`; 0: until used or withdrawn). */
export function invitationTtlOf(config: Config): number {
  return config.invitationTtlDays * 86_400_000;
}

/** How far ahead a message may be scheduled or a reminder set (`--schedule-max-ahead-days`), in ms. */
export function scheduleMaxAheadOf(config: Config): number {
  return config.scheduleMaxAheadDays * 86_400_000;
}

/** How much one search may ask of the database: the `--search-*` options (src/log/database-search.ts). */
export function searchBoundsOf(config: Config): SearchBounds {
  return {
    samplePages: config.searchSamplePages,
    candidatesMax: config.searchCandidatesMax,
    entriesMax: config.searchEntriesMax,
    walkMax: config.searchWalkMax,
  };
}

/** Stores that do not fit the rest of the configuration. */
function storeProblems(config: Config): string[] {
  const redis = config.redisUrl !== '' || config.redisCluster !== '';
  const store = config.store;
  if (store === 'auto' && redis && config.databaseUrl === '') {
    return [
      'several instances need a shared database: give --database-url (PostgreSQL; Redis is then its cache), ' +
        'or --store redis to keep history in Redis only (lost whenever Redis restarts empty)',
    ];
  }
  if ((store === 'embedded' || store === 'memory') && redis) {
    return [
      `--store ${store} keeps conversations in this process: it cannot be shared through Redis ` +
        '(give --database-url for several instances)',
    ];
  }
  if (store === 'postgres' && config.databaseUrl === '') return ['--store postgres needs --database-url'];
  if (store === 'redis' && !redis) return ['--store redis needs --redis-url or --redis-cluster'];
  if (config.databaseUrl !== '' && store !== 'auto' && store !== 'postgres') {
    return [`--database-url is given but --store is ${store}: drop one of them`];
  }
  return [];
}

/** A parsed config file: option names (as in {@link Config}) to values, and the file's path for messages. */
export interface ConfigFile {
  path: string;
  values: Record<string, unknown>;
}

/** Raw values of a config file by option key; unknown keys and values of the wrong type are problems. */
function fileValues(file: ConfigFile, problems: string[]): Partial<Record<OptionKey, RawValue>> {
  const out: Partial<Record<OptionKey, RawValue>> = {};
  for (const [key, value] of Object.entries(file.values)) {
    const source = `${file.path}: ${key}`;
    if (!Object.hasOwn(OptionSpecs, key)) {
      const flag = Object.entries(OptionSpecs).find(([, spec]) => spec.flag === key)?.[0];
      const meant = flag ?? closest(key, Object.keys(OptionSpecs));
      problems.push(
        `${source}: unknown option${flag ? ` (write it as "${flag}")` : meant ? ` (did you mean "${meant}"?)` : ''}`,
      );
      continue;
    }
    if (typeof value === 'number' || typeof value === 'string') {
      out[key as OptionKey] = { value: String(value), source };
    } else {
      problems.push(`${source}: must be a string or a number`);
    }
  }
  return out;
}

/**
 * Builds the configuration from defaults, then the config file, then environment, then flags (flags win).
 * @param flags option values by key, as parsed from the command line (strings, unvalidated)
 * @param env the process environment
 * @param file the parsed config file, if one was given
 * @throws ConfigError listing every bad value
 */
export function loadConfig(
  flags: Partial<Record<OptionKey, string>>,
  env: Record<string, string | undefined>,
  file?: ConfigFile,
): Config {
  const config: Record<string, number | string> = defaultConfig();
  const problems: string[] = [];
  const fromFile = file ? fileValues(file, problems) : {};
  for (const [key, spec] of Object.entries(OptionSpecs) as [OptionKey, OptionSpec][]) {
    let raw: RawValue | undefined;
    const flagValue = flags[key];
    if (flagValue !== undefined) raw = { value: flagValue, source: `--${spec.flag}` };
    else {
      const name = spec.env.find((n) => env[n] !== undefined && env[n] !== '');
      if (name) raw = { value: env[name] as string, source: name };
      else raw = fromFile[key];
    }
    if (!raw) continue;
    const parsed = parseValue(spec, raw);
    if (parsed.problem) problems.push(parsed.problem);
    else if (parsed.value !== undefined) config[key] = parsed.value;
  }
  if (problems.length === 0) problems.push(...crossCheck(config as Config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Config;
}

/** Builds a configuration for embedding and tests: defaults overridden by typed values, validated the same way. */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const flags: Partial<Record<OptionKey, string>> = {};
  for (const [key, value] of Object.entries(overrides)) flags[key as OptionKey] = String(value);
  return loadConfig(flags, {});
}
