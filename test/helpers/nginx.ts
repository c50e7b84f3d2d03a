import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';
import { removeQuietly } from './remove-quietly.js';
import { waitUntil, within } from './wait.js';

/** The shipped site configuration, tested as written but for its listen address; the upstream list is the test's. */
const DEPLOY_CONFIG = new URL('../../../deploy/nginx/parley.conf', import.meta.url);

function nginxBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  const found = dirs.map((dir) => join(dir, 'nginx')).find((path) => existsSync(path));
  if (!found) throw new Error('nginx not found: install it (Debian: apt-get install nginx-light)');
  return found;
}

/** A private nginx running deploy/nginx/parley.conf in front of the given instance ports. */
export class Nginx {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly exited: Promise<void>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  static async start(upstreamPorts: number[]): Promise<Nginx> {
    const dir = await mkdtemp(join(tmpdir(), 'parley-nginx-'));
    const port = await freePort();
    const shipped = await readFile(DEPLOY_CONFIG, 'utf8');
    const site = shipped.replace('listen 80;', `listen 127.0.0.1:${port};`);
    if (!site.includes(`listen 127.0.0.1:${port};`) || !site.includes('include parley/upstreams.conf;')) {
      throw new Error(
        'deploy/nginx/parley.conf no longer has the listen line and upstream include the test uses',
      );
    }
    await writeFile(join(dir, 'parley.conf'), site);
    await mkdir(join(dir, 'parley'));
    await writeFile(
      join(dir, 'parley', 'upstreams.conf'),
      upstreamPorts.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;\n`).join(''),
    );
    // As root, workers would switch to an unprivileged user that cannot use this private directory.
    const user = process.getuid?.() === 0 ? 'user root;' : '';
    await writeFile(
      join(dir, 'nginx.conf'),
      `${user}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/parley.conf;
}
`,
    );
    const child = spawn(
      nginxBinary(),
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const nginx = new Nginx(port, child, dir, exited);
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    try {
      await waitUntil(
        async () => {
          if (gone) throw new Error(`nginx exited: ${stderr}`);
          return fetch(`${nginx.url}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
        },
        10_000,
        'nginx to answer',
      );
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await within(this.exited, 10_000, 'nginx to exit').catch(() => this.child.kill('SIGKILL'));
    await removeQuietly(this.dir);
  }
}
