import { autoDefault, type OptionSpec, optionGroups } from '../config/options.js';

function describe(spec: OptionSpec): string {
  const value = spec.kind === 'int' ? '<n>' : spec.kind === 'enum' ? `<${spec.values.join('|')}>` : '<value>';
  const auto = autoDefault(spec);
  const def =
    spec.default === ''
      ? ''
      : auto
        ? ` (default: auto, ${auto})`
        : ` (default: ${spec.default}${spec.kind === 'int' && spec.unit ? ` ${spec.unit}` : ''})`;
  const env = `  [env ${spec.env.join(', ')}]`;
  return `  --${spec.flag} ${value}\n      ${spec.description}${def}${env}`;
}

/** The text of `parley --help`, generated from the option table. */
export function helpText(version: string): string {
  const lines = [
    `parley ${version}: a real-time chat server`,
    '',
    'Usage:',
    '  parley serve [options]   start a server (conversations in the embedded store in --data-dir unless',
    '                           --store or --database-url says otherwise; one instance unless --redis-url)',
    '  parley migrate --database-url URL   apply the database migrations, then exit (serve applies them too)',
    '  parley copy-to-postgres --data-dir DIR --database-url URL',
    '                           copy the embedded store of DIR (stopped) into an empty PostgreSQL database',
    '  parley cluster [--instances N] [options]',
    '                           start N instances (default 3) on ports --port, --port+1, ... sharing',
    '                           --redis-url (or a private redis-server it starts) and --database-url (or a',
    '                           private PostgreSQL it starts, when installed); Ctrl-C stops all',
    '  parley bench [options]   load-test a server on this machine (parley bench --help)',
    '  parley --help            show this help',
    '  parley --version         print the version',
    '',
    'Options come from, in order of precedence: flags, environment variables, a JSON config file',
    '(--config <file> or -c <file>, or PARLEY_CONFIG=<file>; keys as in docs/configuration.md, e.g.',
    '{"redisUrl": "redis://127.0.0.1:6379", "port": 8080}), and the defaults.',
  ];
  for (const { title, options } of optionGroups()) {
    lines.push('', `${title}:`);
    for (const [, spec] of options) lines.push(describe(spec));
  }
  return `${lines.join('\n')}\n`;
}
