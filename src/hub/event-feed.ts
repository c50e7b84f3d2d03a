/**
 * The dashboard's live feed of what happens in the cluster: messages (sender, room, size; the text only where an
 * admin token guards the feed), joins, leaves, disconnects with their close codes, slow-consumer closes and rate-limit
 * refusals. It costs nothing while no dashboard watches: every node records events only while a watcher anywhere
 * said so in the last seconds (a `watch` heartbeat on the control channel). Then each node sends its events in one
 * batch per interval, at most `budget` of them (the rest counted as dropped), and each dashboard stream gets at most
 * `budget` a second after its room and user filters: a busy cluster does not flood a browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker } from '../broker/broker.js';
import type { LiveEvent } from '../cluster/operator-views.js';
import { CONTROL_ROOM, type FeedEvent, type UserInfo } from '../engine/types.js';
import { openEventStream } from '../http/respond.js';
import type { Clock, TimerHandle, Timers } from '../util/clock.js';

export interface EventFeedDeps {
  nodeId: string;
  broker: Broker;
  clock: Clock;
  timers: Timers;
  /** Texts of messages are shown (the feed needs the admin token). */
  includeText: boolean;
  /** Events per second: what each node sends (spread over its batches), and what each dashboard stream gets. */
  budget: number;
  /** How often a node sends its batch. */
  flushMs: number;
  /** Report failures of the control channel (counted and logged by the node). */
  report: (operation: string, error: unknown) => void;
}

/** How long a watch heartbeat keeps the nodes recording, and how often watchers send one. */
const WATCH_TTL_MS = 15_000;
const WATCH_EVERY_MS = 5_000;
/** A stream whose reader falls this far behind is ended (it reconnects and starts afresh): bounded memory. */
const MAX_UNREAD_BYTES = 1024 * 1024;
/** Messages shown in the feed carry at most this much of their text. */
const TEXT_SHOWN = 200;

interface Watcher {
  response: ServerResponse;
  room?: string;
  user?: string;
  /** Events sent in the current second, and the second. */
  sent: number;
  second: number;
  dropped: number;
}

export class EventFeed {
  private watchedUntil = 0;
  private batch: LiveEvent[] = [];
  private dropped = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly loops: TimerHandle[] = [];
  /** Events one batch carries at most: the per-second budget's share of a batch interval. */
  private readonly batchMax: number;

  constructor(private readonly deps: EventFeedDeps) {
    this.batchMax = Math.max(1, Math.ceil((deps.budget * deps.flushMs) / 1000));
  }

  /** Starts the batch and heartbeat loops. */
  start(): void {
    this.loops.push(this.deps.timers.setInterval(() => this.flush(), this.deps.flushMs));
    this.loops.push(
      this.deps.timers.setInterval(() => {
        if (this.watchers.size > 0) this.announceWatch();
      }, WATCH_EVERY_MS),
    );
  }

  /** True while some dashboard in the cluster watches: only then are events recorded. */
  get active(): boolean {
    return this.deps.clock.now() < this.watchedUntil;
  }

  /**
   * Records a message published here, by a client or the server API. Checked first: while no dashboard watches, a
   * message costs the feed one comparison (no event built, its size not counted).
   */
  message(room: string, user: UserInfo, text: string): void {
    if (this.active) this.record({ type: 'message', room, user, size: Buffer.byteLength(text), text });
  }

  /** Records an event of this node (a no-op unless someone watches). */
  record(event: Omit<LiveEvent, 'ts' | 'node'>): void {
    if (!this.active) return;
    if (this.batch.length >= this.batchMax) {
      this.dropped += 1;
      return;
    }
    const full: LiveEvent = { ...event, ts: this.deps.clock.now(), node: this.deps.nodeId };
    if (full.text !== undefined) {
      if (this.deps.includeText) full.text = full.text.slice(0, TEXT_SHOWN);
      else delete full.text;
    }
    this.batch.push(full);
  }

  /** A feed control event from a node (this one included). */
  receive(event: FeedEvent): void {
    if (event.action === 'watch') {
      this.watchedUntil = this.deps.clock.now() + WATCH_TTL_MS;
      return;
    }
    for (const watcher of this.watchers) this.deliver(watcher, event.events ?? [], event.dropped ?? 0);
  }

  /** Serves one dashboard's stream (server-sent events) until it goes away; `?room=` and `?user=` filter it. */
  attach(request: IncomingMessage, response: ServerResponse, url: URL): void {
    if (!openEventStream(request, response)) return;
    const watcher: Watcher = { response, sent: 0, second: 0, dropped: 0 };
    const room = url.searchParams.get('room');
    const user = url.searchParams.get('user');
    if (room) watcher.room = room;
    if (user) watcher.user = user.toLowerCase();
    response.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ text: this.deps.includeText })}\n\n`);
    this.watchers.add(watcher);
    request.on('close', () => this.watchers.delete(watcher));
    if (this.watchers.size === 1 || !this.active) this.announceWatch();
  }

  /** Ends every stream and loop (shutdown). */
  close(): void {
    for (const loop of this.loops) loop.cancel();
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
  }

  private announceWatch(): void {
    // Recording starts here at once; the others hear it on the control channel.
    this.watchedUntil = this.deps.clock.now() + WATCH_TTL_MS;
    const watch: FeedEvent = { kind: 'control', room: CONTROL_ROOM, action: 'watch', from: this.deps.nodeId };
    this.deps.broker.signal(watch).catch((error) => this.deps.report('announce a feed watcher', error));
  }

  private flush(): void {
    if (this.batch.length === 0 && this.dropped === 0) return;
    const batch: FeedEvent = {
      kind: 'control',
      room: CONTROL_ROOM,
      action: 'feed',
      from: this.deps.nodeId,
      events: this.batch,
      dropped: this.dropped,
    };
    this.batch = [];
    this.dropped = 0;
    this.deps.broker.signal(batch).catch((error) => this.deps.report('send the event feed', error));
  }

  private matches(watcher: Watcher, event: LiveEvent): boolean {
    if (watcher.room !== undefined && event.room !== watcher.room) return false;
    if (watcher.user !== undefined) {
      const { user } = event;
      if (
        !user ||
        (user.id.toLowerCase() !== watcher.user && !user.name.toLowerCase().startsWith(watcher.user))
      )
        return false;
    }
    return true;
  }

  private deliver(watcher: Watcher, events: LiveEvent[], droppedAtSource: number): void {
    const second = Math.floor(this.deps.clock.now() / 1000);
    if (second !== watcher.second) {
      watcher.second = second;
      watcher.sent = 0;
    }
    const shown: LiveEvent[] = [];
    for (const event of events) {
      if (!this.matches(watcher, event)) continue;
      if (watcher.sent >= this.deps.budget) {
        watcher.dropped += 1;
        continue;
      }
      watcher.sent += 1;
      shown.push(event);
    }
    // Unfiltered streams also hear what the nodes could not send.
    if (watcher.room === undefined && watcher.user === undefined) watcher.dropped += droppedAtSource;
    if (shown.length === 0 && watcher.dropped === 0) return;
    const data = JSON.stringify({ events: shown, dropped: watcher.dropped });
    watcher.dropped = 0;
    if (watcher.response.writableLength > MAX_UNREAD_BYTES) {
      this.watchers.delete(watcher);
      watcher.response.end();
      return;
    }
    watcher.response.write(`event: events\ndata: ${data}\n\n`);
  }
}
