import type { RoomSignal } from '../broker/broker.js';
import type { UserInfo } from '../engine/types.js';

interface Pending {
  joins: Map<string, UserInfo>;
  leaves: Map<string, UserInfo>;
}

/**
 * Announces presence changes, coalescing each room's joins and leaves over `windowMs` into one `presence_diff`.
 * A room filling up (a reconnect storm, a class starting) would otherwise send every member a frame per joiner:
 * O(members²) frames. Within a window, a join and a leave of the same user cancel out. With `windowMs` 0 every
 * change is announced on its own, at once.
 */
export class PresenceAnnouncer {
  private readonly pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly windowMs: number,
    private readonly signal: (signal: RoomSignal) => Promise<void>,
    private readonly onError: (room: string, error: unknown) => void,
  ) {}

  joined(room: string, user: UserInfo): void {
    this.change(room, user, 'join');
  }

  left(room: string, user: UserInfo): void {
    this.change(room, user, 'leave');
  }

  /** Sends everything pending now (shutdown, tests). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending.entries()];
    this.pending.clear();
    await Promise.all(
      batches.map(([room, p]) => this.send(room, [...p.joins.values()], [...p.leaves.values()])),
    );
  }

  private change(room: string, user: UserInfo, kind: 'join' | 'leave'): void {
    if (this.windowMs <= 0) {
      void this.send(room, kind === 'join' ? [user] : [], kind === 'leave' ? [user] : []);
      return;
    }
    let p = this.pending.get(room);
    if (!p) {
      p = { joins: new Map(), leaves: new Map() };
      this.pending.set(room, p);
    }
    const [same, opposite] = kind === 'join' ? [p.joins, p.leaves] : [p.leaves, p.joins];
    // A change and its undoing within one window announce nothing.
    if (!opposite.delete(user.id)) same.set(user.id, user);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.windowMs);
  }

  private async send(room: string, joins: UserInfo[], leaves: UserInfo[]): Promise<void> {
    if (joins.length === 0 && leaves.length === 0) return;
    try {
      await this.signal({ kind: 'presence', room, joins, leaves });
    } catch (error) {
      this.onError(room, error);
    }
  }
}
