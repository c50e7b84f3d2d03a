import type { ChatMessage, RoomEvent } from '../engine/types.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import type { Logger } from '../util/logger.js';
import type { Broker, RoomEventHandler, RoomSignal } from './broker.js';

/** Collects channel (un)subscriptions made in one event-loop turn into one Redis call. */
class ChannelBatch {
  private pending?: { channels: string[]; done: Promise<void> };

  constructor(private readonly flush: (channels: string[]) => Promise<void>) {}

  add(channel: string): Promise<void> {
    if (!this.pending) {
      const channels: string[] = [];
      const done = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.pending = undefined;
          this.flush(channels).then(resolve, reject);
        });
      });
      this.pending = { channels, done };
    }
    this.pending.channels.push(channel);
    return this.pending.done;
  }
}

/**
 * The cluster broker: one Redis pub/sub channel per room (sharded pub/sub on Redis Cluster). A node subscribes to
 * a room's channel only while the room has a local member; subscriptions made in the same turn share one
 * SUBSCRIBE. Payloads are `m<message JSON>` for messages (published by the room log's append script) and
 * `s<signal JSON>` for signals.
 */
export class RedisBroker implements Broker {
  private handler: RoomEventHandler = () => {};
  private readonly rooms = new Set<string>();
  private readonly subscribes: ChannelBatch;
  private readonly unsubscribes: ChannelBatch;
  /** Payloads that could not be decoded (counted, logged). */
  badPayloads = 0;
  /** Payloads received on any channel. */
  received = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {
    this.subscribes = new ChannelBatch((channels) => link.subscribe(channels));
    this.unsubscribes = new ChannelBatch((channels) => link.unsubscribe(channels));
    link.onMessage((channel, payload) => this.receive(channel, payload));
  }

  onEvent(handler: RoomEventHandler): void {
    this.handler = handler;
  }

  async signal(signal: RoomSignal): Promise<void> {
    await this.link.command(
      this.link.publishCommand,
      this.keys.channel(signal.room),
      `s${JSON.stringify(signal)}`,
    );
  }

  async subscribe(room: string): Promise<void> {
    this.rooms.add(room);
    try {
      await this.subscribes.add(this.keys.channel(room));
    } catch (error) {
      this.rooms.delete(room);
      throw error;
    }
  }

  async unsubscribe(room: string): Promise<void> {
    this.rooms.delete(room);
    await this.unsubscribes.add(this.keys.channel(room));
  }

  subscribedRooms(): ReadonlySet<string> {
    return this.rooms;
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }

  private receive(channel: string, payload: string): void {
    this.received += 1;
    const room = this.keys.roomOfChannel(channel);
    // Late messages of a room just unsubscribed are dropped here.
    if (room === undefined || !this.rooms.has(room)) return;
    let event: RoomEvent;
    try {
      if (payload[0] === 'm') {
        event = { kind: 'message', room, message: JSON.parse(payload.slice(1)) as ChatMessage };
      } else if (payload[0] === 's') {
        event = JSON.parse(payload.slice(1)) as RoomSignal;
        if (event.room !== room) throw new Error('signal for another room');
      } else {
        throw new Error('unknown payload kind');
      }
    } catch (error) {
      this.badPayloads += 1;
      this.logger.error({ err: error, channel }, 'undecodable pub/sub payload');
      return;
    }
    this.handler(event);
  }
}
