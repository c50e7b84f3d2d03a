/**
 * What users say of themselves (away, do not disturb, a line and an emoji, until when), kept in the directory with
 * the user's other choices and told to everyone who shares a room with them. Whether one is still in force is decided
 * here, at read time: a status past its `until` is none, without anything having to remove it.
 */
import type { UserStatus } from '../../client/wire/domain.js';
import type { StatusFrame } from '../../client/wire/frames.js';
import { hasUnsafeNameCharacters } from '../auth/display-name.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import type { RoomDirectory } from './room-directory.js';

export interface UserStatusesDeps {
  directory: RoomDirectory;
  clock: Clock;
  /** Tells every connection of the user (their devices). */
  notify: (user: string, notice: StatusFrame) => Promise<void>;
  /** Tells the members of a room (those whose connections joined it), on every instance. */
  announce: (room: string, user: string, status: UserStatus) => Promise<void>;
}

/** A status as kept: empty fields gone, the line trimmed; undefined when nothing is left (no status). */
function normalized(status: UserStatus, now: number): UserStatus | undefined {
  const kept: UserStatus = {};
  if (status.availability) kept.availability = status.availability;
  const text = status.text?.trim();
  if (text) {
    if (hasUnsafeNameCharacters(text))
      throw new ReplyError('bad_request', 'status.text holds control or bidirectional formatting characters');
    kept.text = text;
  }
  if (status.emoji) kept.emoji = status.emoji;
  if (Object.keys(kept).length === 0) return undefined;
  if (status.until !== undefined) {
    if (status.until <= now) throw new ReplyError('bad_request', 'status.until is in the past');
    kept.until = status.until;
  }
  return kept;
}

export class UserStatuses {
  constructor(private readonly deps: UserStatusesDeps) {}

  /**
   * Sets the user's status (an empty one clears it) and tells their devices and every room they belong to; returns
   * it as kept (`{}` for none).
   */
  async set(userId: string, status: UserStatus): Promise<UserStatus> {
    const { directory, clock, notify, announce } = this.deps;
    const kept = normalized(status, clock.now());
    await directory.setStatus(userId, kept);
    const shown = kept ?? {};
    await notify(userId, { type: 'status', user: userId, status: shown });
    const memberships = await directory.roomsOf(userId);
    await Promise.all(memberships.map(({ room }) => announce(room.id, userId, shown)));
    return shown;
  }

  /** The statuses in force of these users (those without one, or whose status ended, are left out). */
  async of(userIds: readonly string[]): Promise<Record<string, UserStatus>> {
    const now = this.deps.clock.now();
    const found = await this.deps.directory.statuses([...new Set(userIds)]);
    const inForce: Record<string, UserStatus> = {};
    for (const [id, status] of found)
      if (status.until === undefined || status.until > now) inForce[id] = status;
    return inForce;
  }
}
