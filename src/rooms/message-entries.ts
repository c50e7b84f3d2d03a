/**
 * Lists whose entries name a message of a room by offset and id (a room's pins, a user's saved messages): the
 * message an entry names as it is now, whether a message may join such a list, and a page of one.
 */
import type { ChatMessage } from '../engine/types.js';
import { messageBytes } from '../hub/handlers/reply-budget.js';
import type { RoomLog } from '../log/room-log.js';
import { ReplyError } from '../protocol/error-codes.js';

/** The message at `offset` of a room, as it is now, if the log keeps it (what a pin or a saved message names). */
export async function messageAt(
  log: RoomLog,
  room: string,
  offset: number,
): Promise<ChatMessage | undefined> {
  const page = await log.read(room, { after: offset - 1, limit: 1 });
  const message = page.messages[0];
  return message?.offset === offset ? message : undefined;
}

/** Whether a message may be pinned or saved: a chat message (no system event, no action's entry), not deleted. */
function isKeepable(message: ChatMessage | undefined): message is ChatMessage {
  return message !== undefined && !message.event && !message.action && !message.deleted;
}

/** An entry of a list that names a message (a pin, a saved message). */
export interface MessageEntry {
  room: string;
  offset: number;
  /** The message's id when the entry was made: another message at that offset is not the one it names. */
  messageId: string;
}

/**
 * A page of a list of entries naming messages (a room's pins, a user's saved messages), from the `skip`th on: each
 * entry with its message as it is now, as many as fit in `budget` bytes (at least one; `extraBytes` per entry beyond
 * its message); `next` is the `skip` of the rest. An entry whose message is gone (deleted unless `keepDeleted`, no
 * longer kept, another message at its offset) is dropped from the list (`drop`) and not counted; one that `shown`
 * refuses is passed over and counted (it stays in the list).
 */
export async function pageOfEntries<Entry extends MessageEntry, Item>(
  log: RoomLog,
  entries: Entry[],
  skip: number,
  budget: number,
  options: {
    extraBytes: number;
    /** Whether an entry whose message was deleted stays (a followed thread's root: its thread stays). */
    keepDeleted?: boolean;
    item: (entry: Entry, message: ChatMessage) => Item;
    drop: (entry: Entry) => Promise<unknown>;
    shown?: (entry: Entry) => Promise<boolean>;
  },
): Promise<{ items: Item[]; next?: number }> {
  const rest = entries.slice(skip);
  const messages = await Promise.all(rest.map((entry) => messageAt(log, entry.room, entry.offset)));
  const items: Item[] = [];
  let passed = 0;
  let bytes = 0;
  for (const [i, entry] of rest.entries()) {
    const message = messages[i];
    if (message?.id !== entry.messageId || (message.deleted && !options.keepDeleted)) {
      await options.drop(entry);
      continue;
    }
    if (!options.shown || (await options.shown(entry))) {
      bytes += messageBytes(message) + options.extraBytes;
      // One reply is one frame: a list of long messages would not fit in a connection's bound.
      if (bytes > budget && items.length > 0) return { items, next: skip + passed };
      items.push(options.item(entry, message));
    }
    passed += 1;
  }
  return { items };
}

/**
 * Whether the user may read an entry's room, asked once per room (a page of a user's list names few rooms, each
 * asked of the membership cache): the `shown` of {@link pageOfEntries}.
 */
export function oncePerRoom(
  mayRead: (room: string) => Promise<boolean>,
): (entry: { room: string }) => Promise<boolean> {
  const readable = new Map<string, Promise<boolean>>();
  return (entry) => {
    let answer = readable.get(entry.room);
    if (!answer) {
      answer = mayRead(entry.room);
      readable.set(entry.room, answer);
    }
    return answer;
  };
}

/** A list of entries naming messages, as a new entry is to join it (see {@link newEntry}). */
export interface EntryList<Entry extends MessageEntry> {
  /** The list, the newest entry first. */
  entries: Entry[];
  /** When an entry was made. */
  madeAt: (entry: Entry) => number;
  /** Most entries the list holds. */
  max: number;
  /** The refusal of one more. */
  full: () => ReplyError;
  /** Takes an entry out of the list. */
  drop: (entry: Entry) => Promise<unknown>;
  /** What the list does to a message, for `no_message`'s text ("pinned", "saved"). */
  verb: string;
}

/**
 * Whether the message at `offset` of `room` may join a list of entries (a room's pins, a user's saved messages):
 * the message (a chat message kept and not deleted, else `no_message`) and the time to stamp its entry with (after
 * the newest entry, also within one millisecond, so that the list keeps the order its entries were made in);
 * undefined when the list names that message already. An entry left at that offset by a log that began again
 * (another message's id) gives way; a full list refuses. The count is read before the write: entries made at the
 * same moment on several instances may pass the bound by as many, which the next one then finds.
 */
export async function newEntry<Entry extends MessageEntry>(
  log: RoomLog,
  room: string,
  offset: number,
  now: number,
  list: EntryList<Entry>,
): Promise<{ message: ChatMessage; madeAt: number } | undefined> {
  const message = await messageAt(log, room, offset);
  if (!isKeepable(message)) {
    throw new ReplyError(
      'no_message',
      `only a chat message that is kept and not deleted can be ${list.verb}`,
    );
  }
  const there = list.entries.find((entry) => entry.room === room && entry.offset === offset);
  if (there?.messageId === message.id) return undefined;
  if (there) await list.drop(there);
  else if (list.entries.length >= list.max) throw list.full();
  const newest = list.entries[0];
  return { message, madeAt: Math.max(now, newest ? list.madeAt(newest) + 1 : 0) };
}
