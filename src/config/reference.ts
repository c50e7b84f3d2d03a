import { autoDefault, type OptionSpec, optionGroups } from './options.js';

function allowed(spec: OptionSpec): string {
  if (spec.kind === 'int') {
    const range = `${spec.min} to ${spec.max}${spec.unit ? ` ${spec.unit}` : ''}`;
    return spec.auto ? `\`auto\` (${spec.auto}) or ${range}` : range;
  }
  if (spec.kind === 'enum') return spec.values.map((v) => `\`${v}\``).join(', ');
  return 'text';
}

function defaultOf(spec: OptionSpec): string {
  if (spec.default === '') return '(empty)';
  if (autoDefault(spec)) return '`auto`';
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
  for (const { title, options } of optionGroups()) {
    lines.push('', `### ${title}`, '');
    lines.push('| file key | flag | environment | default | allowed | description |');
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const [key, spec] of options) {
      lines.push(
        `| \`${key}\` | \`--${spec.flag}\` | ${spec.env.map((e) => `\`${e}\``).join(', ')} | ${defaultOf(spec)} | ` +
          `${allowed(spec)} | ${cell(spec.description)} |`,
      );
    }
  }
  lines.push('', '<!-- end of generated reference -->');
  return lines.join('\n');
}
