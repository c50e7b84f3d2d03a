#!/usr/bin/env node
/** The `parley` command line. */
import { readFileSync } from 'node:fs';
import { parseCommandLine, UsageError } from './cli/args.js';
import { runCluster } from './cli/cluster.js';
import { copyCommand, migrateCommand } from './cli/database-commands.js';
import { helpText } from './cli/help.js';
import { checkPort, listenProblem } from './cli/port-check.js';
import { startBanner } from './cli/start-banner.js';
import { ConfigError, loadConfig } from './config/config.js';
import { CONFIG_FILE_ENV, readConfigFile } from './config/config-file.js';
import { createNode } from './index.js';
import { StartupRefusal } from './util/startup-refusal.js';

/** After a drain, how long anything left (a start still waiting, a stuck socket) may hold the process. */
const SHUTDOWN_GRACE_MS = 2000;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'bench') {
    // The load tool lives beside the server (bench/), compiled into dist/bench.
    const { benchMain } = (await import(new URL('../bench/load/main.js', import.meta.url).href)) as {
      benchMain: (argv: string[]) => Promise<number>;
    };
    return benchMain(argv.slice(1));
  }
  let args: ReturnType<typeof parseCommandLine>;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`parley: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (args.command === 'help') {
    process.stdout.write(helpText(packageVersion()));
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  const file = args.configFile ?? process.env[CONFIG_FILE_ENV];
  try {
    config = loadConfig(args.flags, process.env, file ? readConfigFile(file) : undefined);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`parley: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (args.command === 'migrate') return migrateCommand(config);
  if (args.command === 'copy-to-postgres') return copyCommand(config);
  if (args.command === 'cluster') {
    return runCluster(config, args.flags, args.instances ?? 3, new URL(import.meta.url).pathname, file);
  }
  const busy = await checkPort(config.host, config.port);
  if (busy) {
    process.stderr.write(`parley: ${busy}\n`);
    return 2;
  }
  const node = createNode(config);
  // Handlers go in before anything starts, and stay: a second signal while draining does not kill the process.
  let stopping: Promise<void> | undefined;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      process.stderr.write(`parley: ${signal} received, shutting down\n`);
      // The process exits once drained, whatever still holds it (a start still waiting for Redis, a connection that
      // does not close), and if the drain itself hangs, soon after --shutdown-timeout-ms. Unref'd: a process that
      // ends by itself is not held back by them.
      setTimeout(() => {
        process.stderr.write('parley: shutdown did not finish in time, exiting\n');
        process.exit(1);
      }, config.shutdownTimeoutMs + SHUTDOWN_GRACE_MS).unref();
      stopping = node
        .shutdown()
        .then(resolve, resolve)
        .then(() => {
          setTimeout(() => process.exit(), SHUTDOWN_GRACE_MS).unref();
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  let running: boolean;
  try {
    running = await node.start();
  } catch (error) {
    // Taken between the check and the start: the same one line. So is a refusal the operator fixes.
    const problem =
      error instanceof StartupRefusal
        ? error.message
        : listenProblem(error as NodeJS.ErrnoException, config.host, config.port);
    if (!problem) throw error;
    process.stderr.write(`parley: ${problem}\n`);
    await node.shutdown();
    return 2;
  }
  // A signal during start-up: the node never listened, so there is nothing to announce.
  if (running) process.stderr.write(`${startBanner(config, node.running(), packageVersion()).join('\n')}\n`);
  await stopped;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof StartupRefusal) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `parley: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
