import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/config.js';
import type { Clock } from '../util/clock.js';
import { BucketMap } from '../util/token-bucket.js';
import { forwardedClient, limitKeyOf, proxyHops } from './client-address.js';

/**
 * Who may open a WebSocket: the Origin allowlist and the handshake rate per address (checked before the upgrade,
 * answered with HTTP 403/429), and the connection limits per address and per user (checked after identification,
 * answered with close 4029 so that browsers can tell). Counts are per instance, and per address as
 * {@link limitKeyOf} keys it (an IPv6 client by its /64).
 */
export class Admission {
  private readonly origins: ReadonlySet<string> | undefined;
  private readonly handshakes: BucketMap;
  private readonly perIp = new Map<string, number>();
  private readonly perUser = new Map<string, number>();
  /**
   * Changes whenever a user gets a first connection here or loses the last: the stats tick copies the user ids
   * only when this moved (every second, with tens of thousands of users, the copy was most of the tick's work).
   */
  usersVersion = 0;
  /**
   * False when nothing here needs the client's address before the connection is accepted (no per-address limit, no
   * trusted proxy): then it is not read at the upgrade (a `getpeername` system call per connection, ~10 us of a
   * ~300 us connect on this machine) but when an operator lists the connection (see Session.peerAddress).
   */
  readonly readsAddress: boolean;
  /** Trusted proxies in front (`--trust-proxy`): 0 reads the socket's peer. */
  private readonly hops: number;

  constructor(
    private readonly config: Config,
    clock: Clock,
  ) {
    const list = config.allowedOrigins.trim();
    this.origins = list === '' || list === '*' ? undefined : new Set(list.split(',').map((o) => o.trim()));
    this.handshakes = new BucketMap(config.handshakesPerIpPerSec, config.handshakesPerIpPerSec * 2, clock);
    this.hops = proxyHops(config.trustProxy);
    this.readsAddress = this.hops > 0 || config.maxConnectionsPerIp > 0 || config.handshakesPerIpPerSec > 0;
  }

  /**
   * The client's address (behind trusted proxies, the X-Forwarded-For entry the farthest of them wrote: see
   * {@link forwardedClient}); '' when nothing needs it now (see {@link readsAddress}).
   */
  clientIp(request: IncomingMessage): string {
    if (!this.readsAddress) return '';
    // Node joins repeated X-Forwarded-For headers into one, in order (an array only from a hand-made request).
    const header = request.headers['x-forwarded-for'];
    const forwarded = forwardedClient(Array.isArray(header) ? header.join(',') : header, this.hops);
    return forwarded ?? request.socket.remoteAddress ?? 'unknown';
  }

  /** False when a browser connects from an origin not in the allowlist. Non-browser clients send no Origin. */
  originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    return !this.origins || origin === undefined || this.origins.has(origin);
  }

  /** Takes a handshake token of the address; false when it handshakes too often. */
  handshakeAllowed(ip: string): boolean {
    return this.handshakes.take(limitKeyOf(ip));
  }

  /** Counts a connection in; false (and nothing counted) when a limit is reached. */
  acquire(ip: string, userId: string): boolean {
    const { maxConnectionsPerIp, maxConnectionsPerUser } = this.config;
    const key = limitKeyOf(ip);
    const ipCount = this.perIp.get(key) ?? 0;
    const userCount = this.perUser.get(userId) ?? 0;
    if (maxConnectionsPerIp > 0 && ipCount >= maxConnectionsPerIp) return false;
    if (maxConnectionsPerUser > 0 && userCount >= maxConnectionsPerUser) return false;
    // Addresses are counted for their limit only; users always (the node's user count is theirs).
    if (maxConnectionsPerIp > 0) this.perIp.set(key, ipCount + 1);
    this.perUser.set(userId, userCount + 1);
    if (userCount === 0) this.usersVersion += 1;
    return true;
  }

  /** Distinct users with a connection counted in (every connection is, limit or not). */
  get userCount(): number {
    return this.perUser.size;
  }

  /** The ids of those users (a new array each call: see {@link usersVersion}). */
  userIds(): string[] {
    return [...this.perUser.keys()];
  }

  /** Counts a connection out. */
  release(ip: string, userId: string): void {
    const decrement = (map: Map<string, number>, key: string) => {
      const count = (map.get(key) ?? 1) - 1;
      if (count <= 0) map.delete(key);
      else map.set(key, count);
    };
    if (this.config.maxConnectionsPerIp > 0) decrement(this.perIp, limitKeyOf(ip));
    const before = this.perUser.size;
    decrement(this.perUser, userId);
    if (this.perUser.size !== before) this.usersVersion += 1;
  }
}
