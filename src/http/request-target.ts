/**
 * The request target of an HTTP request (or WebSocket upgrade), parsed without ever throwing.
 *
 * `new URL(request.url, base)` is not safe on a raw target: `//host:99999/ws` is a scheme-relative URL to WHATWG,
 * so its "host" is parsed and a bad port, bracket or escape throws. On the upgrade path that throw happened before
 * any check and took the process down. Here an origin-form target (RFC 9112 §3.2.1) is checked for what a path may
 * hold, then appended to a fixed origin; an absolute-form target (`http://host/path`, which proxies may send) is
 * parsed as a URL. Anything else (asterisk-form, authority-form, garbage) is not a target this server serves.
 */
const ORIGIN = 'http://localhost';
const ABSOLUTE = /^https?:\/\//i;
/**
 * A path of pchars (RFC 3986: unreserved, sub-delims, ":", "@", valid percent-escapes) and slashes, not starting
 * with "//" (which URL parsers read as an authority: the very confusion that crashed the server).
 */
const PATH = /^\/(?!\/)(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
/** A query may hold a little more (browsers leave some characters unescaped), but only valid escapes. */
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/** The target as a URL (only its path and query matter), or undefined when it is malformed. */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  if (target === undefined || target.length === 0) return undefined;
  try {
    if (target.startsWith('/')) {
      const query = target.indexOf('?');
      const path = query === -1 ? target : target.slice(0, query);
      if (!PATH.test(path) || (query !== -1 && BAD_ESCAPE.test(target.slice(query)))) return undefined;
      return new URL(ORIGIN + target);
    }
    if (ABSOLUTE.test(target)) return new URL(target);
  } catch {
    // A malformed absolute-form target, or one the URL parser refuses for any other reason.
  }
  return undefined;
}
