import type { Broker } from '../broker/broker.js';
import type { Session } from './session.js';

/** A room's local members and listeners, and the subscription they share. */
interface RoomEntry {
  members: Set<Session>;
  /** Sessions that follow the room without having joined it (its room list entry, a user channel). */
  listeners: Set<Session>;
  /** Settles when the broker subscription for this entry is in place (or failed). */
  subscribed: Promise<void>;
}

/** Told when the node starts and stops hearing a room (its subscription is in place, or given up). */
export interface SubscriptionObserver {
  subscribed(room: string): void;
  released(room: string): void;
}

/**
 * The node's local room index: which sessions are in which room (members: joined, they receive its messages)
 * and which follow it (listeners: a connection's room list entry, a user's own channel). The node is subscribed
 * to a room's broker channel exactly while the room has a local member or listener: the first subscribes, the
 * last unsubscribes. Subscribe and unsubscribe calls of one room are serialised, so a join racing a leave ends
 * consistent.
 */
export class RoomIndex {
  private readonly rooms = new Map<string, RoomEntry>();
  private readonly tails = new Map<string, Promise<void>>();
  /** Changes whenever a room gets its first local member or loses its last (see {@link roomNames}). */
  membersVersion = 0;
  /** Rooms with at least one local member, kept as they change (read every stats tick). */
  private withMembers = 0;

  constructor(
    private readonly broker: Broker,
    private readonly onUnsubscribeError: (room: string, error: unknown) => void,
    private readonly observer?: SubscriptionObserver,
  ) {}

  /** Local members of a room; undefined when it has none (it may have listeners). */
  members(room: string): ReadonlySet<Session> | undefined {
    const members = this.rooms.get(room)?.members;
    return members && members.size > 0 ? members : undefined;
  }

  /** A room's local members and listeners in one lookup (fan-out of a message needs both); undefined: neither. */
  audience(
    room: string,
  ): { readonly members: ReadonlySet<Session>; readonly listeners: ReadonlySet<Session> } | undefined {
    return this.rooms.get(room);
  }

  /** Local listeners of a room; undefined when it has none. */
  listeners(room: string): ReadonlySet<Session> | undefined {
    const listeners = this.rooms.get(room)?.listeners;
    return listeners && listeners.size > 0 ? listeners : undefined;
  }

  /** Rooms with at least one local member (not those only listened to). */
  *roomNames(): IterableIterator<string> {
    for (const [room, entry] of this.rooms) if (entry.members.size > 0) yield room;
  }

  /** Rooms with at least one local member. */
  get roomCount(): number {
    return this.withMembers;
  }

  /**
   * Adds a member; resolves once the node is subscribed to the room.
   * @throws what the broker's subscribe threw; the member is then not added
   */
  async add(room: string, session: Session): Promise<void> {
    const entry = this.entry(room);
    const before = entry.members.size;
    entry.members.add(session);
    if (before === 0 && entry.members.size === 1) {
      this.withMembers += 1;
      this.membersVersion += 1;
    }
    try {
      await entry.subscribed;
    } catch (error) {
      this.remove(room, session);
      throw error;
    }
  }

  /** Adds a listener; resolves once the node is subscribed to the room. */
  async listen(room: string, session: Session): Promise<void> {
    const entry = this.entry(room);
    entry.listeners.add(session);
    try {
      await entry.subscribed;
    } catch (error) {
      this.unlisten(room, session);
      throw error;
    }
  }

  /** Removes a member; unsubscribes (in the background) when nobody is left. */
  remove(room: string, session: Session): void {
    const entry = this.rooms.get(room);
    if (!entry?.members.delete(session)) return;
    if (entry.members.size === 0) {
      this.withMembers -= 1;
      this.membersVersion += 1;
    }
    this.releaseIfEmpty(room, entry);
  }

  /** Removes a listener; unsubscribes (in the background) when nobody is left. */
  unlisten(room: string, session: Session): void {
    const entry = this.rooms.get(room);
    if (entry?.listeners.delete(session)) this.releaseIfEmpty(room, entry);
  }

  private entry(room: string): RoomEntry {
    let entry = this.rooms.get(room);
    if (!entry) {
      const subscribed = this.serial(room, () => this.broker.subscribe(room));
      const made: RoomEntry = { members: new Set(), listeners: new Set(), subscribed };
      entry = made;
      this.rooms.set(room, entry);
      subscribed.then(
        () => {
          if (this.rooms.get(room) === made) this.observer?.subscribed(room);
        },
        () => {},
      );
    }
    return entry;
  }

  private releaseIfEmpty(room: string, entry: RoomEntry): void {
    if (entry.members.size > 0 || entry.listeners.size > 0) return;
    this.rooms.delete(room);
    this.observer?.released(room);
    const unsubscribe = async () => {
      const wasSubscribed = await entry.subscribed.then(
        () => true,
        () => false,
      );
      if (wasSubscribed) await this.broker.unsubscribe(room);
    };
    this.serial(room, unsubscribe).catch((error) => this.onUnsubscribeError(room, error));
  }

  /** Runs `op` after every earlier operation of the room has settled. */
  private serial(room: string, op: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(room) ?? Promise.resolve();
    const next = previous.then(op, op);
    this.tails.set(room, next);
    const forget = () => {
      if (this.tails.get(room) === next) this.tails.delete(room);
    };
    next.then(forget, forget);
    return next;
  }
}
