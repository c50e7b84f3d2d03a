import type { IncomingMessage, ServerResponse } from 'node:http';
import { openEventStream } from './respond.js';

/** One point of the dashboard's time series. */
export interface StatsPoint<T> {
  /** Milliseconds since the Unix epoch. */
  t: number;
  stats: T;
}

/** How far behind a dashboard's stream may fall before it is ended. */
const MAX_UNREAD_BYTES = 1024 * 1024;

/**
 * The live stats stream of the dashboard, as server-sent events: a `history` event with the recent points on
 * connect (so charts are filled at once), then a `stats` event per stats interval. Keeps a bounded ring of points.
 */
export class StatsFeed<T> {
  private readonly points: Array<StatsPoint<T>> = [];
  private readonly listeners = new Set<ServerResponse>();

  constructor(private readonly capacity: number) {}

  /** Number of connected dashboards. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  push(point: StatsPoint<T>): void {
    this.points.push(point);
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
    // Encoded only for a dashboard that watches: every stats interval, on every node.
    if (this.listeners.size === 0) return;
    const event = `event: stats\ndata: ${JSON.stringify(point)}\n\n`;
    for (const response of this.listeners) {
      // A dashboard that stopped reading is ended (it reconnects and starts afresh): bounded memory.
      if (response.writableLength > MAX_UNREAD_BYTES) {
        this.listeners.delete(response);
        response.end();
      } else response.write(event);
    }
  }

  /** Serves one dashboard connection until it goes away. */
  attach(request: IncomingMessage, response: ServerResponse): void {
    if (!openEventStream(request, response)) return;
    response.write(`retry: 2000\nevent: history\ndata: ${JSON.stringify(this.points)}\n\n`);
    this.listeners.add(response);
    request.on('close', () => this.listeners.delete(response));
  }

  /** Ends every stream (shutdown). */
  close(): void {
    for (const response of this.listeners) response.end();
    this.listeners.clear();
  }
}
