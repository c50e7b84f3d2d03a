import type { MessageVersion } from '../../client/wire/domain.js';
import type { ChatMessage, MessageAction, MessageDraft, StreamPosition, UserInfo } from '../engine/types.js';

/** Which messages to read. `before` and `after` are exclusive bounds; without either, the newest are read. */
export interface HistoryQuery {
  /** Only messages with an offset below this. */
  before?: number;
  /** Only messages with an offset above this; the oldest such come first (used to resume). */
  after?: number;
  /** Most messages to return. */
  limit: number;
  /** Only the replies of the thread whose root is at this offset (see ChatMessage.thread). */
  thread?: number;
}

/** A page of a room's log. */
export interface HistoryPage {
  /**
   * Oldest first. Without `after`: the newest `limit` matching messages; with `after`: the oldest. A thread's page
   * (`thread`) holds its replies only.
   */
  messages: ChatMessage[];
  /** The room's current position. */
  position: StreamPosition;
  /** Offset of the oldest message still retained (`position.offset + 1` when none is). */
  earliest: number;
}

/** The texts a message had ({@link RoomLog.edits}). */
export interface MessageEdits {
  /** Oldest first: its first text, then each edit's. */
  versions: MessageVersion[];
  /** Older texts are not known: the first listed is not the message's first. */
  partial?: true;
}

/** Result of {@link RoomLog.append}. */
export interface AppendResult {
  /** The message as stored, with its assigned offset and epoch (for a duplicate: the original message). */
  message: ChatMessage;
  /** True when the draft's `(from.id, cid)` was already appended within the idempotency window. */
  duplicate: boolean;
  /**
   * A reply in a thread, stored now (not a duplicate): its root as this reply left it (its `replies` count this
   * reply and those before it, none after).
   */
  root?: ChatMessage;
}

/** An action on an earlier message of a room, as a client asked for it (see {@link RoomLog.act}). */
export interface ActionDraft {
  room: string;
  /** The id its log entry gets. */
  id: string;
  /** Who acts. */
  from: UserInfo;
  ts: number;
  action: MessageAction;
  /** edit: the new text. */
  text?: string;
  /** delete: the actor may delete anyone's message (a room's owner or admin, a server admin). */
  moderator?: boolean;
  /** react: the most distinct emoji a message may carry. */
  maxReactions: number;
}

/** A user's read marker in a room: every message at or before `after` is read. */
export interface ReadMarker {
  user: string;
  room: string;
  after: number;
}

/** The key of a marker in {@link RoomLog.unread}'s answer. */
export const markerKey = (room: string, user: string): string => `${room}\u0000${user}`;

/** A user's read marker in a thread: every reply at or before `after` is read. */
export interface ThreadMarker extends ReadMarker {
  /** The thread's root (its offset). */
  thread: number;
}

/** The key of a marker in {@link RoomLog.threadUnread}'s answer. */
export const threadMarkerKey = (room: string, thread: number, user: string): string =>
  `${room}\u0000${thread}\u0000${user}`;

/** What {@link RoomLog.unread} counts. */
export interface UnreadCounts {
  unread: number;
  mentions: number;
}

/** A room as the room list sees it (see {@link RoomLog.overview}). */
export interface RoomOverview extends UnreadCounts {
  last?: ChatMessage;
}

/** Result of {@link RoomLog.act}. */
export interface ActResult {
  /** The action's entry in the log; undefined when nothing changed (a reaction already there, a second delete). */
  entry?: ChatMessage;
  /** The message acted on, as it is now. */
  target: ChatMessage;
}

/**
 * A room's log: the ordered messages of each room, each at a position `{offset, epoch}`. Offsets of a room start at
 * 1 in each epoch and increase by one per message, without holes; a new epoch means the log before it was lost.
 *
 * Appending is the only way a message enters a room, and it also hands the message to the bus (the broker) for
 * every node subscribed to the room, in the same atomic step: a stored message is always delivered, a message that
 * was not stored never is. The broker only moves events between nodes; ordering, idempotency, rate and retention
 * live here. Implementations: memory (one node), Redis (a stream per room, the message published from the same
 * Lua script); a database-backed log with Redis as its cache plugs in behind this same contract.
 */
export interface RoomLog {
  /**
   * Appends a message at the room's next offset and delivers it. Idempotent on `(room, from.id, cid)` within the
   * idempotency window: a repeat returns the original message with `duplicate: true`, delivers nothing and does
   * not count against the sender's message rate (the duplicate check comes first on every engine).
   *
   * A draft with `thread` is a reply in the thread of the message at that offset (its root), which must be a chat
   * message still in the log: no system event, no action, not deleted, no thread reply itself. In the same atomic
   * step the root changes as `applyThreadReply` (client/wire/actions.ts) makes it (its `replies`, its `rev`), and every later read
   * returns it so. A thread reply is not counted by {@link unread} (a mention in it is) and is no preview in
   * {@link overview}.
   * @throws ReplyError no_message when the root is no such message; nothing was stored
   * @throws RateLimitError when the sender exceeded its message rate; nothing was stored
   * @throws EngineUnavailableError when the store cannot be reached; nothing was stored
   */
  append(draft: MessageDraft): Promise<AppendResult>;

  /**
   * Applies an action to the room's message at `action.target` and appends the action's entry (at the room's next
   * offset, delivered like a message), in one atomic step: the stored message changes (an edit replaces its
   * text, a delete blanks it and every earlier edit's text and drops its reactions, a reaction is added or
   * removed) and every later read returns it changed. The target must be a chat message (not a system event, not
   * an action) still in the log and not deleted (a delete of a deleted message changes nothing). Only its author
   * edits it; its author or a moderator deletes it. Adding a reaction already there, or removing one that is not,
   * changes nothing and appends nothing. An entry takes a token of the actor's message rate.
   * @throws ReplyError no_message, not_author or reaction_limit; nothing changed
   * @throws RateLimitError, EngineUnavailableError as {@link append}
   */
  act(draft: ActionDraft): Promise<ActResult>;

  /**
   * The texts the room's chat message at `offset` had, oldest first: its first, then each edit's, each with when it
   * was sent or edited; one when never edited, none when deleted (a delete blanks them all). At most `max` (at least
   * 1), the newest: a message may be edited any number of times, and no more are read. `partial` when older texts are
   * left out or not known (a message edited before its store kept first texts). Undefined when there is no such chat
   * message (none at `offset`, no longer kept, or a system event or an action's entry).
   * @throws EngineUnavailableError as {@link append}
   */
  edits(room: string, offset: number, max: number): Promise<MessageEdits | undefined>;

  /**
   * Per marker, how many chat messages (no system events, no actions, no thread replies) of its room follow it, and
   * how many chat messages after it (thread replies included) mention its user: the room list's badges. Counted from per-room counters where the backend keeps them (O(1) per
   * room, no row per message per user), all markers in one round trip. Markers of rooms without a message get none.
   * @returns the counts by `${room}\u0000${user}` (see {@link markerKey})
   */
  unread(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, UnreadCounts>>;

  /**
   * Per thread marker, how many replies of its thread follow it (a deleted reply counts: its tombstone stays in the
   * thread), and how many of them mention its user: a followed thread's badge. One round trip for all markers where
   * the backend allows it (a range of the thread index each); a thread without replies after its marker counts none.
   * @returns the counts by `${room}\u0000${thread}\u0000${user}` (see {@link threadMarkerKey})
   */
  threadUnread(markers: ReadonlyArray<ThreadMarker>): Promise<Map<string, UnreadCounts>>;

  /** Reads a page of the room's log. */
  read(room: string, query: HistoryQuery): Promise<HistoryPage>;

  /**
   * The room list's view of a user's rooms, one round trip for all of them where the backend allows it: per
   * marker's room, its newest message that is no action and no thread reply (the preview) and the counts of
   * {@link unread}. Rooms without a message, or unknown, are absent.
   */
  overview(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, RoomOverview>>;

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
