/** `parley bench`: parses options, runs, prints a progress line, then a table or JSON. */
import { BENCH_HELP, parseBenchArgs } from './options.js';
import { formatReport, limitsWarning } from './report.js';
import { runBench } from './run.js';

export async function benchMain(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`parley bench: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const progress = (line: string) => {
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
  const result = await runBench(options, progress);
  if (tty) process.stderr.write('\r\x1b[2K');
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatReport(result));
  const warning = limitsWarning(result);
  if (warning) process.stderr.write(`${warning}\n`);
  const broken =
    result.connect.failed > 0 ||
    (result.publish && (result.publish.missing > 0 || result.publish.duplicates > 0));
  return broken ? 1 : 0;
}
