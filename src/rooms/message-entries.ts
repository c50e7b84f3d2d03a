import type { ChatMessage } from '../engine/types.js';
import { messageBytes } from '../hub/handlers/reply-budget.js';
import type { RoomLog } from '../log/room-log.js';

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
export function isKeepable(message: ChatMessage | undefined): message is ChatMessage {
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
 * its message); `next` is the `skip` of the rest. An entry whose message is gone (deleted, no longer kept, another
 * message at its offset) is dropped from the list (`drop`) and not counted; one that `shown` refuses is passed over
 * and counted (it stays in the list).
 */
export async function pageOfEntries<Entry extends MessageEntry, Item>(
  log: RoomLog,
  entries: Entry[],
  skip: number,
  budget: number,
  options: {
    extraBytes: number;
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
    if (message?.id !== entry.messageId || message.deleted) {
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
