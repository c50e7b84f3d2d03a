/**
 * Redis key and channel names. Every key of one room carries the room in a hash tag (`{room}`), so a room's keys
 * and channel live in one Redis Cluster slot and one Lua script can touch them all. Room names cannot contain
 * braces (see the room-name rule), so the first `{…}` is always the room.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private room(room: string, suffix: string): string {
    return `${this.prefix}:{${room}}:${suffix}`;
  }

  /** Hash: `e` epoch, `o` last offset. */
  meta(room: string): string {
    return this.room(room, 'meta');
  }

  /** Stream of the retained messages; entry id `<offset>-0`, field `m` the message JSON. */
  stream(room: string): string {
    return this.room(room, 'stream');
  }

  /** String: the message published for `(user, cid)`, kept for the idempotency window. */
  idempotency(room: string, userId: string, cid: string): string {
    return this.room(room, `idem:${userId.length}:${userId}:${cid}`);
  }

  /** The room's pub/sub channel. */
  channel(room: string): string {
    return this.room(room, 'ch');
  }

  /** The room a channel belongs to, or undefined for a foreign channel. */
  roomOfChannel(channel: string): string | undefined {
    const start = this.prefix.length + 2;
    if (!channel.startsWith(`${this.prefix}:{`) || !channel.endsWith('}:ch')) return undefined;
    return channel.slice(start, -4);
  }

  /** Hash: connection id → user JSON. */
  presenceConns(room: string): string {
    return this.room(room, 'pconns');
  }

  /** Hash: connection id → the node instance that owns the entry. */
  presenceOwners(room: string): string {
    return this.room(room, 'powners');
  }

  /** Hash: user id → number of connections in the room. */
  presenceUsers(room: string): string {
    return this.room(room, 'pusers');
  }

  /** Hash: a user's message-rate token bucket (in the user's own slot). */
  userRate(userId: string): string {
    return `${this.prefix}:{u:${userId}}:rate`;
  }

  /** Sorted set: presence-holding node instances scored by their last heartbeat. */
  presenceNodes(): string {
    return `${this.prefix}:presence-nodes`;
  }

  /** Set: rooms in which a node instance holds presence entries. */
  presenceNodeRooms(instance: string): string {
    return `${this.prefix}:presence-node:${instance}:rooms`;
  }

  /** String: lock taken by the node that cleans up after a dead instance. */
  presenceSweepLock(instance: string): string {
    return `${this.prefix}:presence-node:${instance}:sweep`;
  }

  /** Sorted set: node instances scored by their last heartbeat. */
  instances(): string {
    return `${this.prefix}:instances`;
  }

  /** String: the latest stats JSON of one node instance. */
  instance(instance: string): string {
    return `${this.prefix}:instance:${instance}`;
  }

  /** Sorted set: user ids with a connection somewhere, scored by when last seen. */
  onlineUsers(): string {
    return `${this.prefix}:online-users`;
  }

  /** Sorted set: rooms with a member somewhere, scored by when last seen. */
  activeRooms(): string {
    return `${this.prefix}:active-rooms`;
  }
}
