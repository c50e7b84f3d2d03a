import type { Broker } from '../broker/broker.js';
import type { Session } from './session.js';

/**
 * The node's local room index: which sessions are in which room. The node is subscribed to a room's broker
 * channel exactly while the room has a local member: the first member subscribes, the last one unsubscribes.
 * Subscribe and unsubscribe calls of one room are serialised, so a join racing a leave ends consistent.
 */
/** A room's local members and the subscription they share. */
interface RoomEntry {
  members: Set<Session>;
  /** Settles when the broker subscription for this entry is in place (or failed). */
  subscribed: Promise<void>;
}

export class RoomIndex {
  private readonly rooms = new Map<string, RoomEntry>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly broker: Broker,
    private readonly onUnsubscribeError: (room: string, error: unknown) => void,
  ) {}

  /** Local members of a room. */
  members(room: string): ReadonlySet<Session> | undefined {
    return this.rooms.get(room)?.members;
  }

  /** Rooms with at least one local member. */
  roomNames(): IterableIterator<string> {
    return this.rooms.keys();
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /**
   * Adds a member; resolves once the node is subscribed to the room.
   * @throws what the broker's subscribe threw; the member is then not added
   */
  async add(room: string, session: Session): Promise<void> {
    let entry = this.rooms.get(room);
    if (!entry) {
      entry = { members: new Set(), subscribed: this.serial(room, () => this.broker.subscribe(room)) };
      this.rooms.set(room, entry);
    }
    entry.members.add(session);
    try {
      await entry.subscribed;
    } catch (error) {
      this.remove(room, session);
      throw error;
    }
  }

  /** Removes a member; unsubscribes (in the background) when it was the last one. */
  remove(room: string, session: Session): void {
    const entry = this.rooms.get(room);
    if (!entry?.members.delete(session) || entry.members.size > 0) return;
    this.rooms.delete(room);
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
