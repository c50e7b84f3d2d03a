import { parseArgs } from 'node:util';
import type { OptionKey, OptionSpec } from '../config/options.js';
import { OptionSpecs } from '../config/options.js';
import { closest } from '../util/suggest.js';

/** A parsed command line. */
export interface ParsedArgs {
  command: 'serve' | 'cluster' | 'migrate' | 'copy-to-postgres' | 'help' | 'version';
  flags: Partial<Record<OptionKey, string>>;
  /** `parley cluster`: how many instances to start. */
  instances?: number;
  /** `--config <file>`: a JSON config file. */
  configFile?: string;
}

/** Thrown for a command line that cannot be understood; the message says what is wrong. */
export class UsageError extends Error {}

/** Parses `parley <command> [--flag value ...]` with the flags of the option table. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
    instances: { type: 'string' },
    config: { type: 'string', short: 'c' },
  };
  const keyByFlag = new Map<string, OptionKey>();
  for (const [key, spec] of Object.entries(OptionSpecs) as [OptionKey, OptionSpec][]) {
    options[spec.flag] = { type: 'string' };
    keyByFlag.set(spec.flag, key);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, Object.keys(options)));
  }
  if (parsed.values.help) return { command: 'help', flags: {} };
  if (parsed.values.version) return { command: 'version', flags: {} };
  const [command = 'serve', ...extra] = parsed.positionals;
  if (command === 'help') return { command: 'help', flags: {} };
  if (
    command !== 'serve' &&
    command !== 'cluster' &&
    command !== 'migrate' &&
    command !== 'copy-to-postgres'
  ) {
    const meant = closest(command, ['serve', 'cluster', 'migrate', 'copy-to-postgres', 'bench', 'help']);
    throw new UsageError(
      `unknown command '${command}'${meant ? ` (did you mean 'parley ${meant}'?)` : ''} (parley --help lists them)`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  let instances: number | undefined;
  if (typeof parsed.values.instances === 'string') {
    if (command !== 'cluster') throw new UsageError('--instances belongs to parley cluster');
    instances = Number(parsed.values.instances);
    if (!Number.isInteger(instances) || instances < 1 || instances > 64) {
      throw new UsageError(
        `--instances must be a whole number from 1 to 64 (got '${parsed.values.instances}')`,
      );
    }
  }
  const flags: Partial<Record<OptionKey, string>> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    const key = keyByFlag.get(flag);
    if (key && typeof value === 'string') flags[key] = value;
  }
  const configFile = typeof parsed.values.config === 'string' ? parsed.values.config : undefined;
  return {
    command,
    flags,
    ...(instances !== undefined ? { instances } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
  };
}

/**
 * One line for what `parseArgs` refused: an unknown flag with the closest known one, a flag without its value.
 * Node's own messages explain positional arguments at length, which is not what went wrong.
 */
function describeParseError(error: Error & { code?: string }, flags: string[]): string {
  const named = /'(-{1,2}[^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && named) {
    const flag = named.replace(/^-+/, '').split('=')[0] as string;
    const meant = closest(flag, flags);
    return `unknown option ${named}${meant ? ` (did you mean --${meant}?)` : ''}; parley --help lists every option`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && named) {
    return `option ${named.split(' ')[0]} needs a value (parley --help describes it)`;
  }
  return error.message;
}
