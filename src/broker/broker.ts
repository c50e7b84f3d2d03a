import type { RoomEvent } from '../engine/types.js';

/** Receives every event of the rooms this node is subscribed to. There is exactly one per broker: the hub. */
export type RoomEventHandler = (event: RoomEvent) => void;

/** An ephemeral room event: delivered to current members, never stored. */
export type RoomSignal = Exclude<RoomEvent, { kind: 'message' }>;

/**
 * Moves room events between the nodes of a cluster and hands them to the hub: nothing more. Messages enter a room
 * through the room log (`log/room-log.ts`), which stores each one and hands it to this bus in the same step;
 * signals (presence, typing) are sent here directly and never stored.
 *
 * Single-node and cluster share one delivery path: every event reaches members only through the handler given
 * to {@link Broker.onEvent}, on every node subscribed to the room, including the publishing node. The memory
 * broker calls the handler synchronously, in offset order. Through Redis, messages of one room come in the order
 * Redis ran their publications, which is not always offset order: two instances' publications can cross, and so
 * can one instance's when Redis had lost its scripts (a restart, a failover, its first use: the calls sent before
 * one of them loaded the script again are retried after those sent later). The hub's OrderedDelivery puts them in
 * order before members see them.
 */
export interface Broker {
  /** Sets the one handler that receives room events. Must be called before the first subscribe. */
  onEvent(handler: RoomEventHandler): void;

  /** Delivers an ephemeral signal (presence change, typing) to every node subscribed to its room. */
  signal(signal: RoomSignal): Promise<void>;

  /**
   * Starts delivering the room's events to this node. Called by the hub when the room gets its first local
   * member; calls for one room are never concurrent (the hub serialises them).
   */
  subscribe(room: string): Promise<void>;

  /** Stops delivering the room's events to this node (its last local member left). */
  unsubscribe(room: string): Promise<void>;

  /** Rooms this node is subscribed to. */
  subscribedRooms(): ReadonlySet<string>;

  /** Releases connections and timers. */
  close(): Promise<void>;
}
