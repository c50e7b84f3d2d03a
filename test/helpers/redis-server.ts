import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeClusterPort, freePort } from './free-port.js';
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
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A Redis Cluster of three masters (no replicas), each a private redis-server. */
export class RedisCluster {
  private constructor(readonly servers: RedisServer[]) {}

  /** Starts the three servers and joins them into a cluster; cleans up after itself if any step fails. */
  static async start(): Promise<RedisCluster> {
    const clusterArgs = [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      '2000',
    ];
    const started = await Promise.allSettled(
      [0, 1, 2].map(async () => RedisServer.start(clusterArgs, await freeClusterPort())),
    );
    const cluster = new RedisCluster(started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
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
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 20_000;
    for (const server of this.servers) {
      while (!(await server.cli('cluster', 'info')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('redis cluster did not become ok');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
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
