import { createServer } from 'node:net';

/** True when `port` can be bound on the loopback interface right now. */
export async function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free ports, chosen below Linux's ephemeral range (32768+) so that outgoing
 * connections, which take ephemeral ports, do not grab them between this check and their use.
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let free = true;
    for (let i = 0; i < count && free; i += 1) free = await canListen(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/**
 * A TCP port free on the loopback interface right now, below the ephemeral range (see {@link freePortRange}), so
 * that no outgoing connection takes it before the server that asked for it binds it.
 */
export async function freePort(): Promise<number> {
  return freePortRange(1);
}
