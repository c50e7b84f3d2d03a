/**
 * The request target of an HTTP request (or WebSocket upgrade), parsed without ever throwing.
 *
 * `new URL(request.url, base)` is not safe on a raw target: `//host:99999/ws` is a scheme-relative URL to WHATWG,
 * so its "host" is parsed and a bad port, bracket or escape throws. On the upgrade path that throw happened before
 * any check and took the process down. An origin-form target (RFC 9112 §3.2.1: it starts with `/`) is a path and
 * a query, nothing more: it is appended to a fixed origin, so `//a:99999/ws` is just the path `//a:99999/ws`.
 * An absolute-form target (`http://host/path`, which proxies may send) is parsed as a URL. Anything else
 * (asterisk-form, authority-form, garbage) is not a target this server serves.
 */
const ORIGIN = 'http://localhost';
const ABSOLUTE = /^https?:\/\//i;

/** The target as a URL (only its path and query matter), or undefined when it is malformed. */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  if (target === undefined || target.length === 0) return undefined;
  try {
    if (target.startsWith('/')) return new URL(ORIGIN + target);
    if (ABSOLUTE.test(target)) return new URL(target);
  } catch {
    // A malformed absolute-form target, or one the URL parser refuses for any other reason.
  }
  return undefined;
}
