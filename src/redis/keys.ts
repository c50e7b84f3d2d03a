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

  /**
   * Hash of the recent window in front of the database (`m`: the newest action published): `e` epoch, `o` an offset up to which every message is
   * committed, `f` the oldest offset the database still holds (absent until a database read told).
   */
  windowMeta(room: string): string {
    return this.room(room, 'wmeta');
  }

  /** Sorted set of the recent window: the message JSON scored by its offset (any subset of the newest). */
  window(room: string): string {
    return this.room(room, 'window');
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

  /** Sorted set: presence-holding node instances scored by their last presence liveness refresh. */
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

  /**
   * Sorted set: node instances scored by their last stats report. The registry's keys share the `{registry}`
   * hash tag, so its scripts run on one Redis Cluster slot.
   */
  instances(): string {
    return `${this.prefix}:{registry}:instances`;
  }

  /** String: the latest stats JSON of one node instance. */
  instance(instance: string): string {
    return `${this.prefix}:instance:${instance}`;
  }

  /** Hash: user id → number of instances the user is connected to. */
  onlineUsers(): string {
    return `${this.prefix}:{registry}:users`;
  }

  /** Hash: room → number of instances hosting a member of it. */
  activeRooms(): string {
    return `${this.prefix}:{registry}:rooms`;
  }

  /** Set: the users connected to one instance (as last reported by it). */
  instanceUsers(instance: string): string {
    return `${this.prefix}:{registry}:node:${instance}:users`;
  }

  /** Set: the rooms with a member on one instance (as last reported by it). */
  instanceRooms(instance: string): string {
    return `${this.prefix}:{registry}:node:${instance}:rooms`;
  }
}
