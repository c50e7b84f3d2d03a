import type { PublishResult } from '../broker/broker.js';
import { RateLimitError } from '../engine/engine.js';
import type { ChatMessage, MessageDraft, StreamPosition } from '../engine/types.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import {
  forgetEmptyScript,
  positionScript,
  publishScript,
  readScript,
  takeTokenScript,
} from '../redis/scripts.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { HistoryPage, HistoryQuery, HistoryStore } from './history-store.js';

/** Settings of {@link RedisHistory}. */
export interface RedisHistoryOptions {
  historySize: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  /** Messages per second per user across the cluster (0: no limit); bursts of twice that. */
  userMessagesPerSec: number;
  /** On Redis Cluster the user's bucket is in another slot: it is checked by a separate script first. */
  cluster: boolean;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * History in Redis: one stream per room whose entry ids are the message offsets (`<offset>-0`), trimmed to
 * `historySize` entries, next to a meta hash holding the epoch and the last offset. Appending (and publishing, for
 * the broker) is one Lua script, so the offset, the stored entry and the published message always agree.
 */
export class RedisHistory implements HistoryStore {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly options: RedisHistoryOptions,
  ) {}

  append(draft: MessageDraft): Promise<PublishResult> {
    return this.appendAndPublish(draft, '');
  }

  /**
   * Stores the message and, in the same script, publishes it on the room's channel with `publishCommand`
   * (`''`: store only). The message JSON is built around the offset and epoch inside the script.
   */
  async appendAndPublish(
    draft: MessageDraft,
    publishCommand: '' | 'PUBLISH' | 'SPUBLISH',
  ): Promise<PublishResult> {
    const { room } = draft;
    const head = `${JSON.stringify({ room, id: draft.id }).slice(0, -1)},"offset":`;
    const tail = `,${JSON.stringify({ from: draft.from, text: draft.text, ts: draft.ts, cid: draft.cid }).slice(1)}`;
    const { keys, options } = this;
    const rate = options.userMessagesPerSec;
    const limited = publishCommand !== '' && rate > 0;
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
    if (limited && options.cluster) {
      const bucket = [keys.userRate(draft.from.id)];
      const wait = Number(
        await this.link.run(takeTokenScript, bucket, [rate, rate * 2, options.clock.now()]),
      );
      if (wait > 0) throw new RateLimitError(wait);
    } else if (limited) {
      // One round trip: the sender's bucket is checked inside the publish script, after the duplicate check.
      scriptKeys.push(keys.userRate(draft.from.id));
      args.push(rate, rate * 2, options.clock.now());
    }
    const reply = (await this.link.run(publishScript, scriptKeys, args)) as [number, string];
    if (reply[0] === 2) throw new RateLimitError(Number(reply[1]));
    return { duplicate: reply[0] === 1, message: JSON.parse(reply[1]) as ChatMessage };
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage> {
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
