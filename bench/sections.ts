/**
 * docs/benchmarks.md is one page with a section per benchmark that owns one ("## Durable store", "## Group chat"):
 * each is replaced by its own run and kept by the others' runs. This module finds, replaces and saves them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const PAGE = join(ROOT, 'docs/benchmarks.md');

/** Where the line `heading` starts in the page (a whole line: "## Durable store" is not in "### Durable store ..."). */
export function headingAt(page: string, heading: string): number {
  if (page.startsWith(`${heading}\n`)) return 0;
  const at = page.indexOf(`\n${heading}\n`);
  return at < 0 ? -1 : at + 1;
}

/** The section under `heading` (up to the next "## " heading), if the page has one. */
export function sectionOf(page: string, heading: string): string | undefined {
  const start = headingAt(page, heading);
  if (start < 0) return undefined;
  const next = page.indexOf('\n## ', start + 3);
  return next >= 0 ? page.slice(start, next + 1) : page.slice(start);
}

/** The page with the section under `heading` replaced by `section`, or inserted before the analysis. */
export function withSection(page: string, heading: string, rendered: string): string {
  // A section ends with a blank line, whatever its renderer ended it with: the next heading follows it.
  const section = `${rendered.trimEnd()}\n\n`;
  const current = sectionOf(page, heading);
  if (current !== undefined) return page.replace(current, () => section);
  const analysis = headingAt(page, '## Analysis');
  return analysis >= 0
    ? `${page.slice(0, analysis)}${section}${page.slice(analysis)}`
    : `${page.trimEnd()}\n\n${section}`;
}

/** Writes a section into docs/benchmarks.md and the results it was made from into `docs/<json>`. */
export function saveSection(heading: string, section: string, json: string, results: unknown): void {
  writeFileSync(PAGE, withSection(readFileSync(PAGE, 'utf8'), heading, section));
  writeFileSync(join(ROOT, 'docs', json), `${JSON.stringify(results, null, 1)}\n`);
}

/**
 * The main of a benchmark that owns a section: runs it, or with `<savedEnv>=<json file>` re-renders saved
 * results (to change the report only); saves and prints the section; exits.
 */
export function sectionMain<R>(options: {
  name: string;
  heading: string;
  json: string;
  savedEnv: string;
  run: () => Promise<R>;
  render: (results: R) => string;
}): void {
  const saved = process.env[options.savedEnv];
  (saved ? Promise.resolve(JSON.parse(readFileSync(saved, 'utf8')) as R) : options.run()).then(
    (results) => {
      const section = options.render(results);
      saveSection(options.heading, section, options.json, results);
      process.stdout.write(section);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${options.name} failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
