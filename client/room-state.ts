import type { ChatMessage, JoinedFrame, StreamPosition, UserInfo } from './protocol.js';
import type { RoomStream } from './room-stream.js';

/**
 * What the client knows of one room it is in: its message stream (ordering, gaps, resets), who is present, who is
 * typing, and the callers waiting for the join to complete.
 */
export class RoomState {
  joined = false;
  /** Consecutive temporary join failures. */
  joinAttempts = 0;
  retryTimer?: ReturnType<typeof setTimeout>;
  lastTypingSent = 0;
  private presence = new Map<string, UserInfo>();
  /**
   * How many users the room has. The join's snapshot lists at most the server's `presencePageMax` of them (a big
   * room's join would otherwise cost the whole room), so the count comes from the server: with the snapshot, then
   * with every diff.
   */
  count = 0;
  /**
   * Presence diffs that came while the join's reply was on its way: the server sent them after the reply's
   * snapshot, but the reply is handled a microtask later (it settles a promise), so they are applied after it.
   */
  private diffsBeforeJoined: Array<{ joins: UserInfo[]; leaves: UserInfo[]; count?: number }> = [];
  /**
   * Live messages that came while the join's reply was on its way, for the same reason: the server sends none of
   * the room's before the reply, so these followed it on the wire (the `ws` package hands a read's frames over in
   * one tick, before the promise settles). Given to the stream after the reply: one above the reply's position
   * comes neither in its recovery nor again.
   */
  private messagesBeforeJoined: ChatMessage[] = [];
  /** A `position` hint that came then (the latest), applied after the reply too. */
  private positionBeforeJoined?: StreamPosition;
  private readonly typers = new Map<string, { user: UserInfo; timer: ReturnType<typeof setTimeout> }>();
  private waiters: Array<{ resolve: (frame: JoinedFrame) => void; reject: (error: Error) => void }> = [];

  constructor(readonly stream: RoomStream) {}

  /** Waits for the room's next join reply. */
  waitJoined(): Promise<JoinedFrame> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The room's position from the server (its instance may have missed messages): as {@link live}. */
  caughtUp(position: StreamPosition): void {
    if (this.joined) this.stream.caughtUp(position);
    else this.positionBeforeJoined = position;
  }

  /** A live message of the room: to the stream once the room is joined, kept until then. */
  live(message: ChatMessage): void {
    if (this.joined) this.stream.live(message);
    else this.messagesBeforeJoined.push(message);
  }

  /** A join reply came: the room is joined, with the snapshot of its users. True when the users changed. */
  applyJoined(frame: JoinedFrame): boolean {
    this.joined = true;
    this.joinAttempts = 0;
    this.stream.joined(frame);
    const before = this.presence;
    const countBefore = this.count;
    this.presence = new Map(frame.presence.map((u) => [u.id, u]));
    // A server from before the count listed everyone.
    this.count = frame.presenceCount ?? frame.presence.length;
    const early = this.messagesBeforeJoined;
    this.messagesBeforeJoined = [];
    for (const message of early) this.stream.live(message);
    const hint = this.positionBeforeJoined;
    this.positionBeforeJoined = undefined;
    if (hint) this.stream.caughtUp(hint);
    for (const diff of this.diffsBeforeJoined) this.applyPresenceDiff(diff.joins, diff.leaves, diff.count);
    this.diffsBeforeJoined = [];
    const changed =
      countBefore !== this.count ||
      before.size !== this.presence.size ||
      [...this.presence.values()].some((u) => before.get(u.id)?.name !== u.name);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(frame);
    return changed;
  }

  /** The join failed: its callers hear why. */
  rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** The room's users as this client knows them: all of them, or a part when {@link count} is larger. */
  users(): UserInfo[] {
    return [...this.presence.values()];
  }

  /** Applies who came and went; true when the users changed (never before the join's snapshot is in). */
  applyPresenceDiff(joins: UserInfo[], leaves: UserInfo[], count?: number): boolean {
    if (!this.joined) {
      this.diffsBeforeJoined.push({ joins, leaves, ...(count !== undefined ? { count } : {}) });
      return false;
    }
    let changed = false;
    let counted = this.count;
    for (const user of leaves) {
      changed = this.presence.delete(user.id) || changed;
      counted -= 1;
    }
    for (const user of joins) {
      if (!this.presence.has(user.id)) counted += 1;
      if (this.presence.get(user.id)?.name !== user.name) changed = true;
      this.presence.set(user.id, user);
    }
    // The server's count when it has one (diffs from a server that sends none: counted here).
    const next = count ?? Math.max(counted, this.presence.size);
    if (next !== this.count) changed = true;
    this.count = next;
    return changed;
  }

  /**
   * Users the server listed on request (a page of `presence`): known from now on and kept by diffs. True when
   * the list changed.
   */
  addKnown(users: UserInfo[], count: number): boolean {
    let changed = count !== this.count;
    this.count = count;
    for (const user of users) {
      if (this.presence.get(user.id)?.name !== user.name) changed = true;
      this.presence.set(user.id, user);
    }
    return changed;
  }

  /** Users typing now. */
  typing(): UserInfo[] {
    return [...this.typers.values()].map((t) => t.user);
  }

  /** A user typed: they count as typing for `timeoutMs`, then `expired` is called. */
  startTyping(user: UserInfo, timeoutMs: number, expired: () => void): void {
    const existing = this.typers.get(user.id);
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.typers.delete(user.id);
      expired();
    }, timeoutMs);
    this.typers.set(user.id, { user, timer });
  }

  /** A user stopped typing (their message arrived); true when they were typing. */
  stopTyping(userId: string): boolean {
    const typer = this.typers.get(userId);
    if (!typer) return false;
    clearTimeout(typer.timer);
    this.typers.delete(userId);
    return true;
  }

  /** The socket went away: the room is not joined until the next reply; true when someone was typing. */
  connectionLost(): boolean {
    this.joined = false;
    this.lastTypingSent = 0;
    this.diffsBeforeJoined = [];
    this.messagesBeforeJoined = [];
    this.positionBeforeJoined = undefined;
    return this.clearTyping();
  }

  /** Forgets every typer (the connection closed: nobody is known to be typing any more); true when any was. */
  clearTyping(): boolean {
    const any = this.typers.size > 0;
    for (const { timer } of this.typers.values()) clearTimeout(timer);
    this.typers.clear();
    return any;
  }

  /** Stops every timer of the room (it was left, or the client closed). */
  dispose(): void {
    clearTimeout(this.retryTimer);
    this.clearTyping();
  }
}
