/**
 * What operators see of the cluster, as the dashboard and the server API hand it out: connections (who is online,
 * where, since when, in which rooms, from where) and live events. Types only: the web UI imports them too.
 */

/** One connection as listed (the dashboard's users list, the server API's online users). */
export interface ConnectionRecord {
  /** Connection (session) id, unique in the cluster. */
  conn: string;
  user: { id: string; name: string };
  /** The instance holding it. */
  node: string;
  /** When it opened (ms since the Unix epoch). */
  since: number;
  address?: string;
  agent?: string;
  /** Rooms it has joined. */
  rooms: string[];
}

/** A page of the cluster's connections, ordered by display name, then user id, then connection. */
export interface ConnectionPage {
  connections: ConnectionRecord[];
  /** Pass back as `after` for the next page; absent on the last page. */
  next?: string;
  /** Connections matching the search (all of them without one), on the nodes that answered. */
  total: number;
  /** Nodes that did not answer in time: their connections are not in the page. */
  missingNodes: number;
}

/** One event of the live feed. */
export interface LiveEvent {
  type: 'message' | 'join' | 'leave' | 'disconnect' | 'slow_consumer' | 'rate_limited';
  ts: number;
  node: string;
  room?: string;
  user?: { id: string; name: string };
  /** Message size in bytes (UTF-8 text). */
  size?: number;
  /** The message's text: only when the feed is guarded by the admin token. */
  text?: string;
  /** Close code and reason of a disconnect. */
  code?: number;
  reason?: string;
}
