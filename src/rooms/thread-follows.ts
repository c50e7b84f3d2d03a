/**
 * The threads each user follows: who comes to follow a thread as its replies are stored (who replies, the root's
 * author from the first reply on, the members a reply mentions), following by hand, each follower's read marker,
 * the counts their devices are told (`thread_state`), and their list. Whether the user may read a room is the room
 * service's (it checks, then calls this).
 */
import { isWebhookSender } from '../../client/wire/domain.js';
import type { ThreadStateFrame } from '../../client/wire/frames.js';
import type { FollowedThread, FollowedThreadCounts } from '../../client/wire/rooms.js';
import type { ChatMessage } from '../engine/types.js';
import { type RoomLog, type ThreadMarker, threadMarkerKey, type UnreadCounts } from '../log/room-log.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import { messageAt, oncePerRoom, pageOfEntries } from './message-entries.js';
import type { RoomDirectory, ThreadFollowRecord } from './room-directory.js';

/** What a followed thread adds to its root in a reply: its read marker and counts. */
const FOLLOWED_BYTES = 64;

const NONE: UnreadCounts = { unread: 0, mentions: 0 };

export interface ThreadFollowsDeps {
  directory: RoomDirectory;
  log: RoomLog;
  clock: Clock;
  /** Most threads a user follows (`--max-followed-threads-per-user`). */
  maxFollowed: number;
  /** Whether a user belongs to a room: a mention makes a member follow, not any id a client names. */
  isMember(room: string, userId: string): Promise<boolean>;
  /** Tells every device of the user (that asked for its room list) how a thread stands for them. */
  notify(userId: string, notice: ThreadStateFrame): Promise<void>;
}

/** Whether a message may have a thread: a chat message (no system event, no action's entry) that is no reply. */
function isRoot(message: ChatMessage | undefined): message is ChatMessage {
  return message !== undefined && !message.event && !message.action && message.thread === undefined;
}

/** `userId`'s follow of the thread of `root`, read up to `readOffset`, made at `now`, its newest reply at `lastAt`. */
function followOf(
  userId: string,
  root: ChatMessage,
  readOffset: number,
  now: number,
  lastAt: number,
): ThreadFollowRecord {
  return { userId, room: root.room, root: root.offset, rootId: root.id, readOffset, followedAt: now, lastAt };
}

export class ThreadFollows {
  constructor(private readonly deps: ThreadFollowsDeps) {}

  /**
   * A reply was stored (`root` as it left it): its sender follows the thread, read up to the reply; the root's
   * author follows it from its first reply on, and a member it mentions from then on (both unread from the root:
   * a follow made before stays as it was read). Members of the room only. Then every follower's devices hear the thread's counts for them.
   */
  async replied(reply: ChatMessage, root: ChatMessage): Promise<void> {
    const { directory, clock, maxFollowed } = this.deps;
    const { room } = reply;
    const now = clock.now();
    const follow = (userId: string, readOffset: number) => followOf(userId, root, readOffset, now, reply.ts);
    // Members only: the server API may send as any id (and as `system`), which would then follow threads for nobody.
    const follows = new Map<string, ThreadFollowRecord>();
    if (await this.deps.isMember(room, reply.from.id))
      follows.set(reply.from.id, follow(reply.from.id, reply.offset));
    // The root as this reply left it counts this reply and those before it: 1 means this one started the thread.
    const author = root.from;
    if (root.replies?.count === 1 && author.id !== reply.from.id && !isWebhookSender(author.id)) {
      if (await this.deps.isMember(room, author.id)) follows.set(author.id, follow(author.id, root.offset));
    }
    for (const userId of reply.mentions ?? []) {
      if (follows.has(userId) || userId === reply.from.id || !(await this.deps.isMember(room, userId)))
        continue;
      follows.set(userId, follow(userId, root.offset));
    }
    const followers = await directory.threadReplied(
      { room, root: root.offset, rootId: root.id, at: reply.ts },
      [...follows.values()],
      maxFollowed,
    );
    await this.tell(room, root.offset, followers);
  }

  /**
   * Follows the thread of the message at `root` by hand, read up to what it holds now (the user is looking at it):
   * a chat message that is no reply, else `no_message`. Deleted, it may still be followed: its thread stays.
   */
  async follow(userId: string, room: string, rootOffset: number): Promise<void> {
    const { directory, log, clock, maxFollowed } = this.deps;
    const root = await messageAt(log, room, rootOffset);
    if (!isRoot(root))
      throw new ReplyError('no_message', 'only a chat message that is no reply has a thread');
    const now = clock.now();
    const readOffset = root.rev ?? root.offset;
    await directory.followThreads(
      [followOf(userId, root, readOffset, now, root.replies?.last ?? now)],
      maxFollowed,
    );
    // Followed before, its marker may be past `readOffset`, not behind: the counts after either are none.
    await this.tell(room, root.offset, [{ userId, readOffset }]);
  }

  /** Stops following a thread (every device hears of it); nothing changes when the user did not follow it. */
  async unfollow(userId: string, room: string, root: number): Promise<void> {
    if (!(await this.deps.directory.unfollowThread(userId, room, root))) return;
    await this.deps.notify(userId, {
      type: 'thread_state',
      room,
      thread: root,
      following: false,
      read: 0,
      ...NONE,
    });
  }

  /**
   * Moves the user's read marker of a thread they follow forward to `offset`; their devices hear of it. A thread
   * they do not follow keeps no marker: nothing changes, and nothing is told, as when the marker is there already.
   */
  async read(userId: string, room: string, root: number, offset: number): Promise<void> {
    const readOffset = await this.deps.directory.readThread(userId, room, root, offset);
    if (readOffset !== undefined) await this.tell(room, root, [{ userId, readOffset }]);
  }

  /**
   * The user's followed threads from the `skip`th on, the one with the newest reply first, each root as it is now
   * with the user's counts, as many as fit in `budget` bytes (at least one); `next` is the `skip` of the rest. One
   * whose root is gone (no longer kept, a log that began again) is dropped here, where it is found; one of a room
   * the user may no longer read is passed over and kept. `onRead` is told how many messages were read.
   */
  async list(
    userId: string,
    skip: number,
    budget: number,
    mayRead: (room: string) => Promise<boolean>,
    onRead?: (messages: number) => void,
  ): Promise<{ threads: FollowedThread[]; next?: number }> {
    const { directory, log } = this.deps;
    const records = await directory.followedThreads(userId);
    onRead?.(Math.max(0, records.length - skip));
    const entries = records.map((record) => ({ ...record, offset: record.root, messageId: record.rootId }));
    const { items, next } = await pageOfEntries(log, entries, skip, budget, {
      extraBytes: FOLLOWED_BYTES,
      keepDeleted: true,
      item: (entry, root) => ({ root, read: entry.readOffset, ...NONE }),
      drop: (entry) => directory.unfollowThread(userId, entry.room, entry.root),
      shown: oncePerRoom(mayRead),
    });
    const counts = await this.countsOf(
      items.map((item) => ({
        room: item.root.room,
        thread: item.root.offset,
        user: userId,
        after: item.read,
      })),
    );
    const threads = items.map((item, i) => ({ ...item, ...counts[i] }));
    return next === undefined ? { threads } : { threads, next };
  }

  /**
   * The counts of the user's followed threads in rooms they may read, from the `skip`th on (newest reply first), as
   * many as fit in `budget` bytes (at least one); `next` is the `skip` of the rest. No root is read: one whose root is
   * gone counts what its thread still holds (`threads` drops it when it finds it).
   */
  async counts(
    userId: string,
    skip: number,
    budget: number,
    mayRead: (room: string) => Promise<boolean>,
  ): Promise<{ threads: FollowedThreadCounts[]; next?: number }> {
    const records = (await this.deps.directory.followedThreads(userId)).slice(skip);
    const shown = oncePerRoom(mayRead);
    const page: ThreadFollowRecord[] = [];
    let passed = 0;
    let bytes = 0;
    for (const record of records) {
      if (await shown(record)) {
        // The entry's JSON: the room id, four numbers and the keys (~70 bytes).
        bytes += Buffer.byteLength(record.room) + 70;
        if (bytes > budget && page.length > 0) break;
        page.push(record);
      }
      passed += 1;
    }
    const counts = await this.countsOf(
      page.map((f) => ({ room: f.room, thread: f.root, user: userId, after: f.readOffset })),
    );
    const threads = page.map((f, i) => ({ room: f.room, thread: f.root, read: f.readOffset, ...counts[i] }));
    return passed < records.length ? { threads, next: skip + passed } : { threads };
  }

  /** Tells followers of a thread how it stands for them: their marker and the counts after it. */
  private async tell(
    room: string,
    thread: number,
    followers: ReadonlyArray<{ userId: string; readOffset: number }>,
  ): Promise<void> {
    if (followers.length === 0) return;
    const counts = await this.countsOf(
      followers.map((f) => ({ room, thread, user: f.userId, after: f.readOffset })),
    );
    await Promise.all(
      followers.map((f, i) =>
        this.deps.notify(f.userId, {
          type: 'thread_state',
          room,
          thread,
          following: true,
          read: f.readOffset,
          ...counts[i],
        }),
      ),
    );
  }

  /** The counts after each marker, in the markers' order (one round trip: RoomLog.threadUnread). */
  private async countsOf(markers: ThreadMarker[]): Promise<UnreadCounts[]> {
    const counts = await this.deps.log.threadUnread(markers);
    return markers.map((m) => counts.get(threadMarkerKey(m.room, m.thread, m.user)) ?? NONE);
  }
}
