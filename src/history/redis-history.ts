import type { PublishResult } from '../broker/broker.js';
import type { ChatMessage, MessageDraft, StreamPosition } from '../engine/types.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import { positionScript, publishScript, readScript } from '../redis/scripts.js';
import type { IdGenerator } from '../util/ids.js';
import type { HistoryPage, HistoryQuery, HistoryStore } from './history-store.js';

/** Settings of {@link RedisHistory}. */
export interface RedisHistoryOptions {
  historySize: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  ids: IdGenerator;
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
    const reply = (await this.link.run(
      publishScript,
      [
        keys.meta(room),
        keys.stream(room),
        keys.idempotency(room, draft.from.id, draft.cid),
        keys.channel(room),
      ],
      [
        options.ids.epoch(),
        options.historyTtlMs,
        options.historySize,
        options.idempotencyWindowMs,
        head,
        tail,
        publishCommand,
      ],
    )) as [number, string];
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
}
