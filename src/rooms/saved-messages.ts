/**
 * The messages each user saved for themselves, in every room: which messages may be saved, the bound per user, and
 * the list as it is now. Whether the user may read a room is the room service's (it checks, then calls this).
 */
import type { SavedSummary } from '../../client/wire/rooms.js';
import type { ChatMessage } from '../engine/types.js';
import type { RoomLog } from '../log/room-log.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import { messageAt, newEntry, oncePerRoom, pageOfEntries } from './message-entries.js';
import type { RoomDirectory, SavedRecord } from './room-directory.js';

/** What a saved entry adds to its message in a reply: when it was saved, and its reminder. */
const SAVED_BYTES = 96;

export interface SavedMessagesDeps {
  directory: RoomDirectory;
  log: RoomLog;
  clock: Clock;
  /** Most messages a user may keep saved (`--max-saved-per-user`). */
  maxSaved: number;
}

export class SavedMessages {
  constructor(private readonly deps: SavedMessagesDeps) {}

  /** Saves the chat message at `offset` (kept, not deleted: else `no_message`) for the user; again changes nothing. */
  async save(userId: string, room: string, offset: number): Promise<void> {
    const { directory, clock, maxSaved } = this.deps;
    const made = await newEntry(this.deps.log, room, offset, clock.now(), {
      entries: await directory.saved(userId),
      madeAt: (saved) => saved.savedAt,
      max: maxSaved,
      full: () => new ReplyError('saved_limit', `you keep ${maxSaved} saved messages: unsave one first`),
      drop: (saved) => directory.unsave(userId, saved.room, saved.offset),
      verb: 'saved',
    });
    if (made)
      await directory.save({ userId, room, offset, messageId: made.message.id, savedAt: made.madeAt });
  }

  /**
   * Sets when to remind the user of a message (undefined: no reminder), saving it first when it is not saved (the
   * same checks and bound as {@link save}).
   */
  async remind(userId: string, room: string, offset: number, at: number | undefined): Promise<void> {
    const { directory } = this.deps;
    if (await directory.setReminder(userId, room, offset, at)) return;
    await this.save(userId, room, offset);
    await directory.setReminder(userId, room, offset, at);
  }

  /**
   * Up to `limit` reminders due at `now`, each marked come due (once, whichever instance asks), with its message as
   * it is now; one whose message is gone (deleted, no longer kept) is unsaved here and not returned.
   */
  async dueReminders(
    now: number,
    limit: number,
  ): Promise<Array<{ saved: SavedRecord; message: ChatMessage }>> {
    const { directory, log } = this.deps;
    const due: Array<{ saved: SavedRecord; message: ChatMessage }> = [];
    for (const saved of await directory.dueReminders(now, limit)) {
      const message = await messageAt(log, saved.room, saved.offset);
      if (message?.id !== saved.messageId || message.deleted) {
        await directory.unsave(saved.userId, saved.room, saved.offset);
        continue;
      }
      due.push({ saved, message });
    }
    return due;
  }

  unsave(userId: string, room: string, offset: number): Promise<boolean> {
    return this.deps.directory.unsave(userId, room, offset);
  }

  /**
   * The user's saved messages from the `skip`th on, the most recently saved first, each as it is now, as many as fit
   * in `budget` bytes (at least one); `next` is the `skip` of the rest. One whose message is gone (deleted, no
   * longer kept, a log that began again) is dropped here, where it is found; one of a room the user may no longer
   * read is passed over and kept (they may be let back in). `onRead` is told how many messages were read.
   */
  async list(
    userId: string,
    skip: number,
    budget: number,
    mayRead: (room: string) => Promise<boolean>,
    onRead?: (messages: number) => void,
  ): Promise<{ saved: SavedSummary[]; next?: number }> {
    const records = await this.deps.directory.saved(userId);
    onRead?.(Math.max(0, records.length - skip));
    const { items, next } = await pageOfEntries(this.deps.log, records, skip, budget, {
      extraBytes: SAVED_BYTES,
      item: (record, message) => ({
        message,
        savedAt: record.savedAt,
        ...(record.remindAt !== undefined ? { remindAt: record.remindAt } : {}),
        ...(record.remindedAt !== undefined ? { remindedAt: record.remindedAt } : {}),
      }),
      drop: (record) => this.deps.directory.unsave(userId, record.room, record.offset),
      shown: oncePerRoom(mayRead),
    });
    return next === undefined ? { saved: items } : { saved: items, next };
  }
}
