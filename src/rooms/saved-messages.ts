/**
 * The messages each user saved for themselves, in every room: which messages may be saved, the bound per user, and
 * the list as it is now. Whether the user may read a room is the room service's (it checks, then calls this).
 */
import type { SavedSummary } from '../../client/wire/rooms.js';
import { messageBytes } from '../hub/handlers/reply-budget.js';
import type { RoomLog } from '../log/room-log.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import { isKeepable, messageAt } from './message-at.js';
import type { RoomDirectory } from './room-directory.js';

/** What a saved entry adds to its message in a reply: when it was saved. */
const SAVED_BYTES = 32;

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
    const { directory, log, clock, maxSaved } = this.deps;
    const message = await messageAt(log, room, offset);
    if (!isKeepable(message)) {
      throw new ReplyError('no_message', 'only a chat message that is kept and not deleted can be saved');
    }
    const saved = await directory.saved(userId);
    const there = saved.find((s) => s.room === room && s.offset === offset);
    if (there?.messageId === message.id) return;
    // A saved offset of a log that began again names another message: this one takes its place.
    if (there) await directory.unsave(userId, room, offset);
    else if (saved.length >= maxSaved) {
      throw new ReplyError('saved_limit', `you keep ${maxSaved} saved messages: unsave one first`);
    }
    await directory.save({ userId, room, offset, messageId: message.id, savedAt: clock.now() });
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
    const records = (await this.deps.directory.saved(userId)).slice(skip);
    onRead?.(records.length);
    const readable = new Map<string, Promise<boolean>>();
    const allowed = (room: string) => {
      let answer = readable.get(room);
      if (!answer) {
        answer = mayRead(room);
        readable.set(room, answer);
      }
      return answer;
    };
    const messages = await Promise.all(records.map((r) => messageAt(this.deps.log, r.room, r.offset)));
    const saved: SavedSummary[] = [];
    let passed = 0;
    let bytes = 0;
    for (const [i, record] of records.entries()) {
      const message = messages[i];
      if (message?.id !== record.messageId || message.deleted) {
        await this.deps.directory.unsave(userId, record.room, record.offset);
        continue;
      }
      if (await allowed(record.room)) {
        bytes += messageBytes(message) + SAVED_BYTES;
        // One reply is one frame: many long messages would not fit in a connection's bound.
        if (bytes > budget && saved.length > 0) return { saved, next: skip + passed };
        saved.push({ message, savedAt: record.savedAt });
      }
      passed += 1;
    }
    return { saved };
  }
}
