/**
 * A room's pinned messages: which messages may be pinned, the bound per room, and the list as it is now. Who may pin
 * and the `pinned`/`unpinned` events in the room's log are the room service's (it checks, then calls this).
 */
import type { PinSummary } from '../../client/wire/rooms.js';
import type { UserInfo } from '../engine/types.js';
import type { RoomLog } from '../log/room-log.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import { newEntry, pageOfEntries } from './message-entries.js';
import type { RoomDirectory } from './room-directory.js';

/** What a pin adds to its message in a reply: who pinned it (a name of at most a few hundred bytes) and when. */
const PIN_BYTES = 512;

export interface PinBoardDeps {
  directory: RoomDirectory;
  log: RoomLog;
  clock: Clock;
  /** Most pins a room may have (`--max-pins-per-room`). */
  maxPins: number;
}

export class PinBoard {
  constructor(private readonly deps: PinBoardDeps) {}

  /**
   * Pins the chat message at `offset` (kept, not deleted: else `no_message`); false when it is pinned already (or
   * was, meanwhile, on another instance). A pin left at that offset by a log that began again gives way.
   */
  async pin(room: string, offset: number, by: UserInfo): Promise<boolean> {
    const { directory, clock, maxPins } = this.deps;
    const made = await newEntry(this.deps.log, room, offset, clock.now(), {
      entries: await directory.pins(room),
      madeAt: (pin) => pin.pinnedAt,
      max: maxPins,
      full: () => new ReplyError('pin_limit', `this room has ${maxPins} pinned messages: unpin one first`),
      drop: (pin) => directory.unpin(room, pin.offset),
      verb: 'pinned',
    });
    if (!made) return false;
    return directory.pin({
      room,
      offset,
      messageId: made.message.id,
      pinnedBy: { id: by.id, name: by.name },
      pinnedAt: made.madeAt,
    });
  }

  /** Unpins the message at `offset`; false when it was not pinned. */
  unpin(room: string, offset: number): Promise<boolean> {
    return this.deps.directory.unpin(room, offset);
  }

  /**
   * The room's pins from the `skip`th on, the most recently pinned first, each with its message as it is now, as
   * many as fit in `budget` bytes (at least one): `next`, when more follow, is the `skip` of the rest. A pin whose
   * message is no longer there (a log that began again, history no longer kept) is dropped here, where it is found.
   * `onRead` is told how many messages were read (one store read each).
   */
  async list(
    room: string,
    skip: number,
    budget: number,
    onRead?: (messages: number) => void,
  ): Promise<{ pins: PinSummary[]; next?: number }> {
    const pinned = await this.deps.directory.pins(room);
    onRead?.(Math.max(0, pinned.length - skip));
    const { items, next } = await pageOfEntries(this.deps.log, pinned, skip, budget, {
      extraBytes: PIN_BYTES,
      item: (pin, message) => ({ message, pinnedBy: pin.pinnedBy, pinnedAt: pin.pinnedAt }),
      drop: (pin) => this.deps.directory.unpin(room, pin.offset),
    });
    return next === undefined ? { pins: items } : { pins: items, next };
  }
}
