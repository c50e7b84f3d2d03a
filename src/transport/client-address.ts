/**
 * Where a connection comes from: the client's address behind trusted proxies, and the key per-address limits count
 * it under.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * How many proxies in front of Parley set or append `X-Forwarded-For`, from `--trust-proxy`: `no` 0, `yes` 1, or a
 * count for a chain (a CDN in front of a load balancer: 2).
 */
export function proxyHops(trustProxy: string): number {
  if (trustProxy === 'no') return 0;
  if (trustProxy === 'yes') return 1;
  return Number(trustProxy);
}

/** An address without the port or brackets some proxies add (`203.0.113.5:4711`, `[2001:db8::1]:443`). */
function bareAddress(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1] as string;
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return withPort ? (withPort[1] as string) : entry;
}

/**
 * The client's address from an `X-Forwarded-For` header behind `hops` trusted proxies, or undefined when the header
 * names none. Each proxy appends the address it saw at the right (or sets the header to it), so the entry
 * `hops` from the right is what the farthest trusted proxy saw; entries left of it are whatever the client wrote,
 * which must never be trusted (a client would escape its per-address limits by writing a new one each time).
 * With fewer entries than hops (a request that bypassed a proxy of the chain), the leftmost. An entry that is no IP
 * address names nobody: it is not taken (nor kept with the connection: a header may be 16 KB).
 */
export function forwardedClient(header: string | undefined, hops: number): string | undefined {
  if (!header || hops <= 0) return undefined;
  const entries = header.split(',');
  const entry = entries[Math.max(0, entries.length - hops)]?.trim();
  const address = entry ? bareAddress(entry) : undefined;
  return address && isIP(address) !== 0 ? address : undefined;
}

/** The first four groups of an IPv6 address, expanded (`2001:db8:0:0`), or undefined when it is none. */
function ipv6Prefix64(address: string): string | undefined {
  const plain = address.split('%')[0] as string;
  if (!isIPv6(plain)) return undefined;
  const [head = '', tail] = plain.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':');
    // Eight groups in all; an embedded IPv4 address in the tail counts as two (it is past the prefix anyway).
    const width = rest.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
    groups.push(...Array.from({ length: 8 - groups.length - width }, () => '0'), ...rest);
  }
  return groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':');
}

/**
 * The key an address is counted under by per-address limits. An IPv6 client usually holds a whole /64 and can take
 * a new address in it for every connection, so IPv6 addresses count by their /64; an IPv4 address written as IPv6
 * (`::ffff:203.0.113.5`, on a dual-stack socket) counts as itself, as IPv4.
 */
export function limitKeyOf(address: string): string {
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIPv4(mapped[1] as string)) return mapped[1] as string;
  const prefix = ipv6Prefix64(address);
  return prefix === undefined ? address : `${prefix}::/64`;
}
