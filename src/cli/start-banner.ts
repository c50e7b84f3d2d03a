/**
 * What `parley serve` prints once it listens: where the chat and the dashboard are, what keeps the conversations,
 * and what an operator should know before exposing it (anonymous mode or open statistics on a reachable address).
 */
import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../config/config.js';

/** What the node runs on, as the banner names it. */
export interface RunningParts {
  port: number;
  engine: 'memory' | 'redis';
  store: 'memory' | 'redis' | 'postgres' | 'embedded';
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Whether only this machine can reach the address. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** A database URL without its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

function storeLine(config: Config, store: RunningParts['store']): string {
  if (store === 'embedded') {
    const dir = isAbsolute(config.dataDir) ? config.dataDir : resolve(config.dataDir);
    return `embedded database in ${dir} (kept across restarts)`;
  }
  if (store === 'postgres') return `PostgreSQL ${withoutPassword(config.databaseUrl)}`;
  if (store === 'redis') return 'Redis streams only (recent history, lost if Redis restarts empty)';
  return 'memory (lost when this process exits)';
}

function engineLine(config: Config, engine: RunningParts['engine']): string {
  if (engine === 'memory') return 'this instance alone (no Redis)';
  return config.redisCluster ? `Redis Cluster ${config.redisCluster}` : `Redis ${config.redisUrl}`;
}

/** The lines to print, warnings last (each starting with "warning:"). */
export function startBanner(config: Config, running: RunningParts, version: string): string[] {
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const host = wildcard ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const base = `http://${host}:${running.port}`;
  const lines = [
    `Parley ${version} is running${wildcard ? ` (listening on every address, ${config.host || '0.0.0.0'})` : ''}`,
    `  chat:       ${base}/`,
    `  dashboard:  ${base}/dashboard`,
    `  messages:   ${storeLine(config, running.store)}`,
    `  instances:  ${engineLine(config, running.engine)}`,
    `  identity:   ${config.auth === 'jwt' ? 'verified tokens (--auth jwt)' : 'anonymous (demo mode: anyone may use any name)'}`,
  ];
  const reachable = !isLoopback(config.host);
  if (config.auth === 'anonymous' && reachable) {
    lines.push(
      `warning: anonymous mode on ${config.host || '0.0.0.0'}: anyone who can reach port ${running.port} can chat under any name. ` +
        'On this machine only: --host 127.0.0.1; for real users: --auth jwt (docs/security.md)',
    );
  }
  if (config.adminToken === '') {
    lines.push(
      `warning: /api/stats, /metrics and the dashboard's data are open without a token${reachable ? ' to anyone who can reach this port' : ''}: set --admin-token`,
    );
  }
  return lines;
}
