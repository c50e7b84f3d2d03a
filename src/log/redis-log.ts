import { RateLimitError } from '../engine/engine.js';
import {
  type ChatMessage,
  type MessageDraft,
  rateKeyOf,
  type StreamPosition,
  storedMessage,
} from '../engine/types.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { MessageRateLimiter } from '../ratelimit/message-rate.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import { forgetEmptyScript, positionScript, publishScript, readScript } from '../redis/scripts.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type {
  AppendResult,
  HistoryPage,
  HistoryQuery,
  ReadMarker,
  RoomLog,
  RoomOverview,
  UnreadCounts,
} from './room-log.js';

/** Settings of {@link RedisLog}. */
export interface RedisLogOptions {
  historySize: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  /** Messages per second per user across the cluster (0: no limit); bursts of twice that. */
  userMessagesPerSec: number;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * The room log in Redis: one stream per room whose entry ids are the message offsets (`<offset>-0`), trimmed to
 * `historySize` entries, next to a meta hash holding the epoch and the last offset. Appending is one Lua script that
 * checks idempotency, takes the next offset, stores the entry and publishes the message on the room's channel
 * (`PUBLISH`, or `SPUBLISH` on a cluster), so the offset, the stored entry and the published message always agree.
 *
 * The sender's rate: on a single Redis, the publish script takes the token itself, after its duplicate check (one
 * round trip). On Redis Cluster the user's bucket lives in another slot than the room, so the log checks for a
 * duplicate first (one GET in the room's slot), then asks `rate` (the bucket's slot), then runs the script: a
 * retried send costs no token there either.
 */
export class RedisLog implements RoomLog {
  /**
   * @param rate the cluster's per-user limiter (Redis Cluster only; undefined on a single Redis or without a limit)
   */
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly options: RedisLogOptions,
    private readonly rate?: MessageRateLimiter,
  ) {}

  /** A stream's entries cannot change: with `--store redis`, messages are not edited, deleted or reacted to. */
  async act(): Promise<never> {
    throw new ReplyError('unsupported', 'messages cannot be changed with --store redis; use a database');
  }

  /** Nothing can be edited here (see {@link act}). */
  async edits(): Promise<never> {
    throw new ReplyError('unsupported', 'messages cannot be changed with --store redis; use a database');
  }

  /** A stream keeps no counters, and this server no read markers (no rooms): nothing is counted. */
  async unread(): Promise<Map<string, UnreadCounts>> {
    return new Map();
  }

  /** No threads with `--store redis` (see {@link append}): none is counted. */
  async threadUnread(): Promise<Map<string, UnreadCounts>> {
    return new Map();
  }

  async append(draft: MessageDraft): Promise<AppendResult> {
    // A root's summary would change a stream entry, which cannot change.
    if (draft.thread !== undefined)
      throw new ReplyError('unsupported', 'threads need a database: they are not kept with --store redis');
    const { room } = draft;
    const head = `${JSON.stringify({ room, id: draft.id }).slice(0, -1)},"offset":`;
    const rest = {
      from: draft.from,
      text: draft.text,
      ts: draft.ts,
      cid: draft.cid,
      event: draft.event,
      mentions: draft.mentions,
      mentionsRoom: draft.mentionsRoom,
      replyTo: draft.replyTo,
      forwarded: draft.forwarded,
    };
    const tail = `,${JSON.stringify(rest).slice(1)}`;
    const { keys, options } = this;
    // A system event (a moderator's action) is not a message of theirs: it costs no token.
    const rateKey = rateKeyOf(draft);
    const rate = rateKey === undefined ? 0 : options.userMessagesPerSec;
    const publishCommand = this.link.publishCommand;
    const scriptKeys = [
      keys.meta(room),
      keys.stream(room),
      keys.idempotency(room, draft.from.id, draft.cid),
      keys.channel(room),
    ];
    const args: Array<string | number> = [
      options.ids.epoch(),
      options.historyTtlMs,
      options.historySize,
      options.idempotencyWindowMs,
      head,
      tail,
      publishCommand,
    ];
    if (this.rate && rateKey !== undefined) {
      const seen = (await this.link.command('GET', scriptKeys[2] as string)) as string | null;
      if (seen !== null) return { duplicate: true, message: JSON.parse(seen) as ChatMessage };
      const wait = await this.rate.take(rateKey);
      if (wait > 0) throw new RateLimitError(wait);
    } else if (rate > 0) {
      // One round trip: the sender's bucket is checked inside the publish script, after the duplicate check.
      scriptKeys.push(keys.userRate(rateKey as string));
      args.push(rate, rate * 2, options.clock.now());
    }
    const reply = (await this.link.run(publishScript, scriptKeys, args)) as [number, string, string?];
    if (reply[0] === 2) throw new RateLimitError(Number(reply[1]));
    if (reply[0] === 1) return { duplicate: true, message: JSON.parse(reply[1]) as ChatMessage };
    // Stored and published as the draft at this position: no need to read back the JSON the script was given.
    const position = { offset: Number(reply[1]), epoch: reply[2] as string };
    return { duplicate: false, message: storedMessage(draft, position) };
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage> {
    // No thread has a reply here (see append).
    if (query.thread !== undefined) {
      const position = await this.position(room);
      return { messages: [], position, earliest: position.offset + 1 };
    }
    const reply = (await this.link.run(
      readScript,
      [this.keys.meta(room), this.keys.stream(room)],
      [
        this.options.ids.epoch(),
        this.options.historyTtlMs,
        query.after ?? '',
        query.before ?? '',
        Math.max(0, query.limit),
      ],
    )) as [string, number, number, number, ...string[]];
    const [epoch, offset, earliest, forward, ...entries] = reply;
    const messages = entries.map((json) => JSON.parse(json) as ChatMessage);
    if (forward !== 1) messages.reverse();
    return { messages, position: { offset: Number(offset), epoch }, earliest: Number(earliest) };
  }

  /** The newest messages (no counts: this server keeps no read markers). */
  async overview(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, RoomOverview>> {
    // One read per room, sent together (the link pipelines commands issued in the same tick).
    const pages = await Promise.all(markers.map(({ room }) => this.read(room, { limit: 1 })));
    const found = new Map<string, RoomOverview>();
    pages.forEach((page, i) => {
      const last = page.messages.at(-1);
      if (last) found.set((markers[i] as ReadMarker).room, { last, unread: 0, mentions: 0 });
    });
    return found;
  }

  async position(room: string): Promise<StreamPosition> {
    const [epoch, offset] = (await this.link.run(
      positionScript,
      [this.keys.meta(room), this.keys.stream(room)],
      [this.options.ids.epoch(), this.options.historyTtlMs],
    )) as [string, number];
    return { offset: Number(offset), epoch };
  }

  async forget(room: string): Promise<void> {
    const keys = [this.keys.meta(room), this.keys.stream(room), this.keys.presenceConns(room)];
    await this.link.run(forgetEmptyScript, keys, []);
  }
}
