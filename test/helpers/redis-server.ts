import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeClusterPort, freePort } from './free-port.js';
import { removeQuietly } from './remove-quietly.js';
import { within } from './wait.js';

const run = promisify(execFile);

/**
 * A private redis-server for one test file, on a free port, that the test may stop, kill and restart. Nothing is
 * persisted: a restart comes back empty, like a Redis that lost its data.
 */
export class RedisServer {
  private process?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), 'parley-redis-'));
    const server = new RedisServer(port ?? (await freePort()), dir, extraArgs);
    try {
      await server.launch();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Runs redis-cli against this server. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), ...args]);
    return stdout.trim();
  }

  async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        ...this.extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    await within(
      new Promise<void>((resolve, reject) => {
        const onData = () => {
          if (output.includes('Ready to accept connections')) resolve();
        };
        child.stdout?.on('data', onData);
        child.once('exit', (code) =>
          reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)),
        );
      }),
      10_000,
      `redis-server on port ${this.port}`,
    );
  }

  /** Kills the server at once (SIGKILL), like a crash. */
  /** Freezes the server (SIGSTOP): its connections stay open, nothing is answered. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    this.process?.kill('SIGKILL');
    await this.exited;
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** Stops it for good and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    await removeQuietly(this.dir);
  }
}

/** A Redis Cluster of three masters (and, if asked, a replica of each), each a private redis-server. */
export class RedisCluster {
  private constructor(
    readonly servers: RedisServer[],
    private readonly replicas: number,
  ) {}

  /**
   * Starts the servers and joins them into a cluster; cleans up after itself if any step fails.
   * @param options.replicas replicas per master (0 or 1)
   * @param options.nodeTimeoutMs cluster-node-timeout: how long a master may be silent before it fails over
   */
  static async start(options: { replicas?: number; nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
    const replicas = options.replicas ?? 0;
    const clusterArgs = [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs ?? 2000),
      // Replicas sync at once (the default waits 5 s before a diskless sync).
      '--repl-diskless-sync-delay',
      '0',
    ];
    const count = 3 * (1 + replicas);
    const started = await Promise.allSettled(
      Array.from({ length: count }, async () => RedisServer.start(clusterArgs, await freeClusterPort())),
    );
    const cluster = new RedisCluster(
      started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
      replicas,
    );
    try {
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await cluster.create();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  private async create(): Promise<void> {
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.servers.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      String(this.replicas),
      '--cluster-yes',
    ]);
    await this.waitOk(this.servers, 20_000);
    if (this.replicas > 0) {
      // A replica that never synced with its master refuses to take over: wait until every one has.
      const deadline = Date.now() + 20_000;
      for (const server of this.servers) {
        for (;;) {
          const info = await server.cli('info', 'replication');
          if (info.includes('role:master') || info.includes('master_link_status:up')) break;
          if (Date.now() > deadline) throw new Error(`replica ${server.port} not in sync:\n${info}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }

  /** Waits until every given server reports cluster_state:ok. */
  async waitOk(servers: RedisServer[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const server of servers) {
      while (!(await server.cli('cluster', 'info').catch(() => '')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('redis cluster did not become ok');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** The server that is the master of `key`'s slot now. */
  async masterOf(key: string): Promise<RedisServer> {
    const any = this.servers[0] as RedisServer;
    const slot = Number(await any.cli('cluster', 'keyslot', key));
    const nodes = await any.cli('cluster', 'nodes');
    for (const line of nodes.split('\n')) {
      const fields = line.split(' ');
      if (!fields[2]?.includes('master') || fields[2].includes('fail')) continue;
      const port = Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]);
      for (const range of fields.slice(8)) {
        const [from, to = from] = range.split('-').map(Number);
        if (from !== undefined && slot >= from && slot <= (to as number)) {
          const server = this.servers.find((s) => s.port === port);
          if (server) return server;
        }
      }
    }
    throw new Error(`no master for slot ${slot}`);
  }

  /** Seed list in the form of --redis-cluster. */
  get seeds(): string {
    return this.servers.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  get nodes(): Array<{ host: string; port: number }> {
    return this.servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}
