import type { ChatMessage, MessageDraft, RoomEvent } from '../engine/types.js';

/** Receives every event of the rooms this node is subscribed to. There is exactly one per broker: the hub. */
export type RoomEventHandler = (event: RoomEvent) => void;

/** Result of {@link Broker.publish}. */
export interface PublishResult {
  /** The message as stored, with its assigned offset and epoch (for a duplicate: the original message). */
  message: ChatMessage;
  /** True when the draft's `(from.id, cid)` was already published within the idempotency window. */
  duplicate: boolean;
}

/** An ephemeral room event: delivered to current members, never stored. */
export type RoomSignal = Exclude<RoomEvent, { kind: 'message' }>;

/**
 * Moves room events between the nodes of a cluster and hands them to the hub.
 *
 * Single-node and cluster share one delivery path: every event reaches members only through the handler given
 * to {@link Broker.onEvent}, on every node subscribed to the room, including the publishing node. The memory
 * broker calls the handler synchronously inside `publish`/`signal`.
 */
export interface Broker {
  /** Sets the one handler that receives room events. Must be called before the first subscribe. */
  onEvent(handler: RoomEventHandler): void;

  /**
   * Publishes a chat message: in one atomic step, checks idempotency, assigns the room's next offset, appends
   * the message to the room's history and delivers it to every subscribed node. Either all of it happens or
   * none does (then the promise rejects and nothing was stored).
   *
   * Events of one room are delivered in offset order on every node.
   * @throws EngineUnavailableError when the shared layer cannot be reached; nothing was stored
   */
  publish(draft: MessageDraft): Promise<PublishResult>;

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
