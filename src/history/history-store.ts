import type { PublishResult } from '../broker/broker.js';
import type { ChatMessage, MessageDraft, StreamPosition } from '../engine/types.js';

/** Which messages to read. `before` and `after` are exclusive bounds; without either, the newest are read. */
export interface HistoryQuery {
  /** Only messages with an offset below this. */
  before?: number;
  /** Only messages with an offset above this; the oldest such come first (used to resume). */
  after?: number;
  /** Most messages to return. */
  limit: number;
}

/** A page of history. */
export interface HistoryPage {
  /** Oldest first. Without `after`: the newest `limit` matching messages; with `after`: the oldest. */
  messages: ChatMessage[];
  /** The room's current position. */
  position: StreamPosition;
  /** Offset of the oldest message still retained (`position.offset + 1` when none is). */
  earliest: number;
}

/**
 * A bounded, per-room message history: the last `historySize` messages of each room, kept `historyTtlMs` after
 * the room's last message. Offsets of a room start at 1 in each epoch and increase by one per message.
 */
export interface HistoryStore {
  /**
   * Appends a message, assigning the room's next offset; idempotent on `(room, from.id, cid)` within the
   * idempotency window (a repeat returns the original message with `duplicate: true`).
   * Brokers call this as part of publishing; nothing else should.
   */
  append(draft: MessageDraft): Promise<PublishResult>;

  /** Reads a page of the room's history. */
  read(room: string, query: HistoryQuery): Promise<HistoryPage>;

  /**
   * The room's current position. A room with no message yet gets offset 0 and a fresh epoch, kept from then on
   * (a client that joined the empty room resumes in that same epoch) until the room is forgotten.
   */
  position(room: string): Promise<StreamPosition>;

  /**
   * Called when the last member of the room on this node has left: a room with no message and no member on any
   * node is forgotten, so that joining and leaving any number of room names leaves nothing behind. A room with
   * messages is kept (for `historyTtlMs`). The next join of a forgotten room names a new epoch.
   */
  forget(room: string): Promise<void>;
}
