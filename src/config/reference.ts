import { type OptionSpec, OptionSpecs } from './options.js';

const GROUP_TITLES: Record<OptionSpec['group'], string> = {
  server: 'Server',
  security: 'Security',
  engine: 'Engine',
  limits: 'Limits',
  timing: 'Timing',
  logging: 'Logging',
};

function allowed(spec: OptionSpec): string {
  if (spec.kind === 'int') return `${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ''}`;
  if (spec.kind === 'enum') return spec.values.map((v) => `\`${v}\``).join(', ');
  return 'text';
}

function defaultOf(spec: OptionSpec): string {
  if (spec.default === '') return '(empty)';
  return `\`${spec.default}\``;
}

/** Escapes a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * The option reference of docs/configuration.md, generated from the option table (`npm run docs:config` writes
 * it; a unit test fails when the file is out of date).
 */
export function configurationReference(): string {
  const lines: string[] = [
    '<!-- generated from src/config/options.ts by npm run docs:config: do not edit -->',
  ];
  for (const group of Object.keys(GROUP_TITLES) as OptionSpec['group'][]) {
    lines.push('', `### ${GROUP_TITLES[group]}`, '');
    lines.push('| file key | flag | environment | default | allowed | description |');
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const [key, spec] of Object.entries(OptionSpecs) as [string, OptionSpec][]) {
      if (spec.group !== group) continue;
      lines.push(
        `| \`${key}\` | \`--${spec.flag}\` | ${spec.env.map((e) => `\`${e}\``).join(', ')} | ${defaultOf(spec)} | ` +
          `${allowed(spec)} | ${cell(spec.description)} |`,
      );
    }
  }
  lines.push('', '<!-- end of generated reference -->');
  return lines.join('\n');
}
