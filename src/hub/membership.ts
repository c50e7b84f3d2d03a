import type { Config } from '../config/config.js';
import type { Engine } from '../engine/engine.js';
import type { StreamPosition, UserInfo } from '../engine/types.js';
import { encodeFrame } from '../protocol/codec.js';
import type { Clock, Timers } from '../util/clock.js';
import type { FailureReporter } from './failures.js';
import type { OrderedDelivery } from './ordered-delivery.js';
import { PresenceAnnouncer } from './presence-announcer.js';
import { PresenceListing } from './presence-listing.js';
import { RoomIndex, type SubscriptionObserver } from './room-index.js';
import type { Session } from './session.js';

/** What membership needs. */
export interface MembershipDeps {
  config: Config;
  engine: Engine;
  clock: Clock;
  timers: Timers;
  nodeId: string;
  report: FailureReporter;
  /** The node's ordered delivery (told where members joined, and when a room has none left here). */
  ordering: OrderedDelivery;
  /** Told when the node starts and stops hearing a room (the membership cache holds what it hears of). */
  subscriptions?: SubscriptionObserver;
}

/**
 * Who is in which room, on this node and (through the presence store) in the cluster: the local room index (and
 * with it the broker subscriptions), presence entries and their announcements, forgetting rooms left empty,
 * restoring presence after the engine lost it, and drain mode. Command handlers call it directly.
 */
export class Membership {
  readonly rooms: RoomIndex;
  /** Rooms' users sorted by id for `presence` pages, read at most once a second and anew after a change. */
  readonly listing: PresenceListing;
  private readonly announcer: PresenceAnnouncer;
  /**
   * While draining, disconnects keep the users' presence: entries expire on their own unless the users reconnect
   * to another node in time, so a rolling restart shows no leave/join storm.
   */
  private draining = false;

  constructor(private readonly deps: MembershipDeps) {
    this.rooms = new RoomIndex(
      deps.engine.broker,
      (room, error) => deps.report('unsubscribe', error, { room }),
      deps.subscriptions,
    );
    this.listing = new PresenceListing(deps.engine.presence, deps.clock);
    this.announcer = new PresenceAnnouncer(
      deps.config.presenceBatchMs,
      deps.config.presenceBatchMaxMs,
      // Every diff carries the room's user count (O(1) in every store): with a partial snapshot, the count is how a
      // client knows how many are here.
      async (signal) => {
        const { count } = await deps.engine.presence.sample(signal.room, 0);
        await deps.engine.broker.signal({ ...signal, count });
      },
      (room, error) => deps.report('presence announce', error, { room }),
      deps.timers,
    );
  }

  /** Number of rooms with local members. */
  get roomCount(): number {
    return this.rooms.roomCount;
  }

  /** Rooms with at least one local member. */
  roomNames(): string[] {
    return [...this.rooms.roomNames()];
  }

  /**
   * The session follows the room's activity without joining it (its room list), or a user channel: no presence,
   * only the subscription. Idempotent.
   */
  async follow(session: Session, room: string): Promise<void> {
    if (!session.listed || session.listed.has(room) || session.closed) return;
    session.listed.add(room);
    try {
      await this.rooms.listen(room, session);
    } catch (error) {
      session.listed.delete(room);
      throw error;
    }
  }

  /** The session no longer follows the room. */
  unfollow(session: Session, room: string): void {
    if (!session.listed?.delete(room)) return;
    this.rooms.unlisten(room, session);
  }

  /** Stops following everything (the session closed). */
  unfollowAll(session: Session): void {
    const listed = session.listed;
    if (!listed) return;
    for (const room of listed) this.rooms.unlisten(room, session);
    listed.clear();
  }

  /** Joins the session to the room: local index (and broker subscription), presence and its announcement. */
  async enter(session: Session, room: string): Promise<void> {
    session.rooms.add(room);
    session.idleSince = undefined;
    await this.rooms.add(room, session);
    const { userJoined } = await this.deps.engine.presence.add(room, {
      conn: session.id,
      user: session.user,
      node: this.deps.nodeId,
    });
    if (userJoined) {
      this.listing.changed(room);
      this.announcer.joined(room, session.user);
    }
  }

  /**
   * Takes the session out of the room and announces the leave when it was the user's last connection there. A
   * room left with no member anywhere and no message is forgotten by the log (empty rooms cost nothing).
   */
  async exit(session: Session, room: string): Promise<void> {
    if (!session.rooms.delete(room)) return;
    session.forgetRoom(room);
    if (session.rooms.size === 0) session.idleSince = this.deps.clock.now();
    this.rooms.remove(room, session);
    if (this.rooms.members(room) === undefined) this.deps.ordering.forget(room);
    if (this.draining && session.closed) return;
    try {
      const { userLeft } = await this.deps.engine.presence.remove(room, session.id);
      if (userLeft) {
        this.listing.changed(room);
        this.announceLeave(room, session.user);
      }
    } catch (error) {
      // The store retries the removal in its next expire(), which reports the leave then.
      this.deps.report('presence remove', error, { room });
      return;
    }
    // The last local member is gone (and no new one came while presence was removed).
    if (this.rooms.members(room) === undefined) {
      await this.deps.engine.log
        .forget(room)
        .catch((error: unknown) => this.deps.report('forget empty room', error, { room }));
    }
  }

  /** A member joined the room at this position: delivery here continues from it (see OrderedDelivery.note). */
  joinedAt(room: string, position: StreamPosition): void {
    this.deps.ordering.note(room, position);
  }

  /** Announces that a user left a room (last connection gone, or its entry expired). */
  announceLeave(room: string, user: UserInfo): void {
    this.announcer.left(room, user);
  }

  /** From now on, connections that close keep their presence (the node is draining; see {@link draining}). */
  startDraining(): void {
    this.draining = true;
  }

  /** Sends presence changes still waiting in the coalescing window. */
  flush(): Promise<void> {
    return this.announcer.flush();
  }

  /**
   * Re-adds every local session's presence (after the engine lost it, e.g. Redis restarted empty) and announces
   * the users that thereby join again.
   */
  async restorePresence(sessions: Iterable<Session>): Promise<void> {
    const { engine, nodeId } = this.deps;
    const work: Array<Promise<void>> = [];
    for (const session of sessions) {
      for (const room of session.rooms) {
        const entry = { conn: session.id, user: session.user, node: nodeId };
        work.push(
          engine.presence.add(room, entry).then(({ userJoined }) => {
            if (userJoined) this.announcer.joined(room, session.user);
          }),
        );
      }
    }
    const failed = (await Promise.allSettled(work)).filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.deps.report('restore presence', new Error(`${failed} entries not restored`));
  }

  /**
   * Re-syncs every hosted room after the engine connection (and with it the room subscriptions) was lost: live
   * messages of that time never reached this node. First what the log holds beyond what was delivered here is
   * delivered, in order (so a quiet room's only message is not lost either), then every local member gets the
   * room's current position; a client still behind it fetches the rest from the log.
   */
  async announcePositions(): Promise<void> {
    const rooms = this.roomNames();
    const results = await Promise.allSettled(
      rooms.map(async (room) => {
        await this.deps.ordering.catchUp(room);
        const position = await this.deps.engine.log.position(room);
        const members = this.rooms.members(room);
        if (!members) return;
        const frame = encodeFrame({ type: 'position', room, position });
        for (const session of members) session.deliver(room, frame);
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.deps.report('announce positions', new Error(`${failed} rooms not announced`));
  }
}
