import type { RoomSignal } from '../broker/broker.js';
import type { UserInfo } from '../engine/types.js';
import { systemTimers, type TimerHandle, type Timers } from '../util/clock.js';

/**
 * A room with changes not announced yet or a diff sent less than a window ago. Its next announcement is always
 * scheduled: at the end of the turn for a room that was quiet, at the end of the window after a diff.
 */
interface RoomState {
  joins: Map<string, UserInfo>;
  leaves: Map<string, UserInfo>;
  scheduled: TimerHandle;
  /** The window after the next diff: doubles with every diff while the room keeps changing. */
  nextWindowMs: number;
}

/**
 * Announces presence changes with at most one `presence_diff` per room per window. The first change of a quiet room
 * goes out at the end of the event-loop turn (joins of the same turn together); changes after a diff wait for the
 * window to end and go out as one. The window starts at `windowMs` and doubles after every diff while the room keeps
 * changing, up to `maxWindowMs`; a window without changes makes the room quiet again. A user joining a quiet room is
 * shown at once, while a room filling up (a reconnect storm, a class starting) costs its members a few frames in
 * all rather than a frame per joiner: every diff is a frame to each member, so a storm is exactly when to send fewer.
 * A change and its undoing before they are announced cancel out. With `windowMs` 0 every change is announced on
 * its own, at once.
 */
export class PresenceAnnouncer {
  private readonly rooms = new Map<string, RoomState>();

  constructor(
    private readonly windowMs: number,
    private readonly maxWindowMs: number,
    private readonly signal: (signal: Extract<RoomSignal, { kind: 'presence' }>) => Promise<void>,
    private readonly onError: (room: string, error: unknown) => void,
    private readonly timers: Timers = systemTimers,
  ) {}

  /** Rooms with changes pending or a diff sent less than a window ago (memory is O(these)). */
  get roomsTracked(): number {
    return this.rooms.size;
  }

  joined(room: string, user: UserInfo): void {
    this.change(room, user, 'join');
  }

  left(room: string, user: UserInfo): void {
    this.change(room, user, 'leave');
  }

  /** Sends everything pending now (shutdown, tests). */
  async flush(): Promise<void> {
    const rooms = [...this.rooms.keys()];
    await Promise.all(rooms.map((room) => this.announce(room, false)));
  }

  private change(room: string, user: UserInfo, kind: 'join' | 'leave'): void {
    if (this.windowMs <= 0) {
      void this.send(room, kind === 'join' ? [user] : [], kind === 'leave' ? [user] : []);
      return;
    }
    let state = this.rooms.get(room);
    if (!state) {
      // A quiet room: announce at the end of this turn.
      state = {
        joins: new Map(),
        leaves: new Map(),
        scheduled: this.schedule(room, 0),
        nextWindowMs: this.windowMs,
      };
      this.rooms.set(room, state);
    }
    const [same, opposite] = kind === 'join' ? [state.joins, state.leaves] : [state.leaves, state.joins];
    // A change and its undoing before they are announced announce nothing.
    if (!opposite.delete(user.id)) same.set(user.id, user);
  }

  /** Announces `room` after `delayMs` (at the end of this turn when <= 0); never keeps the process alive. */
  private schedule(room: string, delayMs: number): TimerHandle {
    return this.timers.setTimeout(() => void this.announce(room, true), delayMs);
  }

  /** Sends the room's pending diff; `throttle` keeps later changes back for a window (not when flushing). */
  private async announce(room: string, throttle: boolean): Promise<void> {
    const state = this.rooms.get(room);
    if (!state) return;
    state.scheduled.cancel();
    const joins = [...state.joins.values()];
    const leaves = [...state.leaves.values()];
    state.joins.clear();
    state.leaves.clear();
    if ((joins.length === 0 && leaves.length === 0) || !throttle) {
      // Nothing since the last diff for a whole window (or it all cancelled out), or a flush: the room is quiet.
      this.rooms.delete(room);
    } else {
      // The room stays known for one more window, so that a change right after this diff waits for its end.
      state.scheduled = this.schedule(room, state.nextWindowMs);
      state.nextWindowMs = Math.min(Math.max(this.windowMs, this.maxWindowMs), state.nextWindowMs * 2);
    }
    await this.send(room, joins, leaves);
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
