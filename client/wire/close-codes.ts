/**
 * WebSocket close codes the server uses: the one table of them, part of the wire vocabulary (`client/wire/`).
 *
 * 4000–4499: the client should reconnect (with backoff). 4500–4999: terminal, the client must not reconnect
 * without changing something (credentials, protocol version). Codes 1004–1006 and 1015 are reserved by RFC 6455
 * and never sent. 1009 (message too big) and 1007 (invalid UTF-8) come from the WebSocket layer itself.
 */
export const CloseCodes = {
  /** The server is shutting down or draining; reconnect, possibly to another instance, and resume. */
  shutdown: 4001,
  /** The client did not read fast enough and its outgoing queue overflowed; reconnect and resume. */
  slow_consumer: 4003,
  /** The server hit an unexpected fault on this connection; reconnect. */
  internal: 4005,
  /** The connection stayed in no room for `idleTimeoutMs`; reconnect when there is something to do. */
  idle: 4008,
  /** The server-side limit of connections (per user or per address) is reached; reconnect later. */
  too_many_connections: 4029,
  /** The token expired and was not refreshed; reconnect with a fresh token. */
  token_expired: 4010,
  /** The handshake lacked a valid identity (missing or invalid display name, invalid token). Terminal. */
  unauthorized: 4500,
  /** The requested protocol version is not supported by this server. Terminal. */
  unsupported_version: 4501,
  /** The user is not allowed to connect (e.g. disconnected by an administrator). Terminal. */
  forbidden: 4503,
} as const;

/** Name of a close code in {@link CloseCodes}. */
export type CloseCodeName = keyof typeof CloseCodes;

/** True when a client that was closed with `code` should reconnect. */
export function shouldReconnect(code: number): boolean {
  if (code >= 4500 && code <= 4999) return false;
  return true;
}
