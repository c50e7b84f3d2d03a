import { canListen } from '../../src/util/free-port.js';

export { freePort, freePortRange } from '../../src/util/free-port.js';

/**
 * A free port for a Redis Cluster node, whose cluster bus also listens on port + 10000: chosen in 5000-9999 so that
 * neither port falls in the range of {@link freePortRange} (20000-31999) or the ephemeral range.
 */
export async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 5000 + Math.floor(Math.random() * 5000);
    if ((await canListen(port)) && (await canListen(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}
