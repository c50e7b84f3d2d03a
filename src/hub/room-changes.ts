import type { RoomRemovedFrame } from '../../client/wire/frames.js';
import type { ChatMessage, MemberEvent, UserEvent } from '../engine/types.js';
import { encodeFrame } from '../protocol/codec.js';
import type { MembershipCache } from '../rooms/membership-cache.js';
import { removalOf } from '../rooms/room-service.js';
import type { FailureReporter } from './failures.js';
import type { RoomChangeListener } from './fan-out.js';
import type { Membership } from './membership.js';
import type { ReadMarkers } from './read-markers.js';
import type { SubscriptionObserver } from './room-index.js';
import type { Session } from './session.js';

/** Why a user's connections were taken out of a room: the fields of `room_removed` after `room`. */
type Removal = Omit<RoomRemovedFrame, 'type' | 'room'>;

/** System events that change nothing an instance caches. */
const UNCACHED_EVENTS: ReadonlySet<string> = new Set([
  'pinned',
  'unpinned',
  'webhook_added',
  'webhook_removed',
]);

/**
 * What this node does when a room's membership changes, wherever the change was made: every change reaches every
 * node holding the room on the room's own channel (a system event in its log, or an unlogged member event), so
 * each node forgets the standings it cached of the room, and takes a user who left, was kicked or was banned out
 * of the room on all their local connections. A user's notices (added to a room) make their listing
 * connections here follow the room.
 *
 * The membership cache caches only rooms this node hears (it is told when subscriptions start and end), so no
 * cached standing can miss its invalidation.
 */
export class RoomChanges implements RoomChangeListener, SubscriptionObserver {
  /** Set once the hub built it (membership needs this object first, as its subscription observer). */
  membership?: Membership;
  /** Set once the hub built them: a user's marker told from any instance settles what this one holds of it. */
  readMarkers?: ReadMarkers;

  constructor(
    private readonly cache: MembershipCache,
    private readonly report: FailureReporter,
  ) {}

  subscribed(room: string): void {
    this.cache.hold(room);
  }

  released(room: string): void {
    this.cache.release(room);
  }

  systemEvent(message: ChatMessage): void {
    const event = message.event;
    // A pin or a webhook changes nobody's standing nor the room's record: the cached standings stay.
    if (!event || UNCACHED_EVENTS.has(event.type)) return;
    if (event.user) this.cache.invalidate(message.room, event.user.id);
    else this.cache.invalidate(message.room);
    const reason = removalOf(event);
    if (reason && event.user) {
      const removal: Removal = { reason };
      if (reason !== 'left') removal.by = message.from;
      if (event.reason) removal.message = event.reason;
      if (event.until !== undefined) removal.until = event.until;
      this.remove(message.room, event.user.id, removal);
    }
  }

  memberEvent(event: MemberEvent): void {
    if (event.change === 'settings') {
      this.cache.invalidate(event.room);
      return;
    }
    this.cache.invalidate(event.room, event.user);
    if (event.change === 'left') this.remove(event.room, event.user, { reason: 'left' });
  }

  userEvent(event: UserEvent): void {
    const { notice } = event;
    if (notice.type === 'read') this.readMarkers?.heard(event.user, notice.room, notice.offset);
    if (notice.type !== 'room_added') return;
    const listeners = this.membership?.rooms.listeners(event.room);
    if (!listeners) return;
    for (const session of [...listeners]) {
      this.membership?.follow(session, notice.room.id).catch((error: unknown) => {
        this.report('follow room', error, { room: notice.room.id });
      });
    }
  }

  /** Takes the user's local connections out of the room (joined or listing), each told once why. */
  private remove(room: string, userId: string, removal: Removal): void {
    const membership = this.membership;
    if (!membership) return;
    const frame = encodeFrame({ type: 'room_removed', room, ...removal });
    const told = new Set<Session>();
    for (const session of [...(membership.rooms.members(room) ?? [])]) {
      if (session.user.id !== userId) continue;
      told.add(session);
      membership.exit(session, room).catch((error: unknown) => this.report('leave room', error, { room }));
      session.deliver(room, frame);
    }
    for (const session of [...(membership.rooms.listeners(room) ?? [])]) {
      if (session.user.id !== userId) continue;
      membership.unfollow(session, room);
      if (!told.has(session)) session.deliver(room, frame);
    }
  }
}
