import type { JoinedFrame, UserInfo } from './protocol.js';
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
  private readonly typers = new Map<string, { user: UserInfo; timer: ReturnType<typeof setTimeout> }>();
  private waiters: Array<{ resolve: (frame: JoinedFrame) => void; reject: (error: Error) => void }> = [];

  constructor(readonly stream: RoomStream) {}

  /** Waits for the room's next join reply. */
  waitJoined(): Promise<JoinedFrame> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** A join reply came: the room is joined, with the snapshot of its users. */
  applyJoined(frame: JoinedFrame): void {
    this.joined = true;
    this.joinAttempts = 0;
    this.stream.joined(frame);
    this.presence = new Map(frame.presence.map((u) => [u.id, u]));
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve(frame);
  }

  /** The join failed: its callers hear why. */
  rejectWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** The room's users as this client knows them. */
  users(): UserInfo[] {
    return [...this.presence.values()];
  }

  applyPresenceDiff(joins: UserInfo[], leaves: UserInfo[]): void {
    for (const user of leaves) this.presence.delete(user.id);
    for (const user of joins) this.presence.set(user.id, user);
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

  /** Forgets every typer (the connection closed: nobody is known to be typing any more). */
  clearTyping(): void {
    for (const { timer } of this.typers.values()) clearTimeout(timer);
    this.typers.clear();
  }

  /** Stops every timer of the room (it was left, or the client closed). */
  dispose(): void {
    clearTimeout(this.retryTimer);
    this.clearTyping();
  }
}
