import type { Identity } from '../auth/identity.js';
import { roomAllowed } from '../auth/identity.js';
import type { TokenVerifier } from '../auth/jwt.js';
import type { Config } from '../config/config.js';
import type { Engine } from '../engine/engine.js';
import type { RoomEvent, UserInfo } from '../engine/types.js';
import { LatencyWindow } from '../metrics/latency-window.js';
import { CloseCodes } from '../protocol/close-codes.js';
import { decodeCommand, encodeCompactMessage, encodeFrame } from '../protocol/codec.js';
import { ReplyError } from '../protocol/error-codes.js';
import { type Command, PROTOCOL_VERSION, type ServerFrame } from '../protocol/messages.js';
import type { Transport } from '../transport/transport.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { TokenBucket } from '../util/token-bucket.js';
import type { Handler, HandlerContext } from './handlers/context.js';
import { handlers } from './handlers/index.js';
import { PresenceAnnouncer } from './presence-announcer.js';
import { refusalOf } from './refusal.js';
import { RoomIndex } from './room-index.js';
import { Session } from './session.js';

/** What the hub is built from. */
export interface HubDeps {
  config: Config;
  engine: Engine;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  nodeId: string;
  /** Verifies refreshed tokens (verified-token mode only). */
  verifyToken?: TokenVerifier;
  /** Receives latency observations (metrics). */
  observer?: HubObserver;
}

/** Counters of one node's hub, read by the stats endpoint and metrics. */
export interface HubCounters {
  /** Messages accepted from local clients and stored. */
  published: number;
  /** Frames of room events written to local sessions. */
  deliveries: number;
  /** Sessions closed for not reading fast enough. */
  slowConsumers: number;
  /** Failures of the engine seen by the hub (publish, presence, subscribe). */
  engineErrors: number;
  /** Commands refused by a rate limit (per connection or per user). */
  rateLimited: number;
  /** Connections accepted. */
  connectionsOpened: number;
  /** Connections closed, by WebSocket close code (the server's when it closed first, else the peer's). */
  connectionsClosed: Map<number, number>;
  /** `send` commands received from local clients (accepted or not). */
  messagesReceived: number;
}

/** Latency observations the hub reports (e.g. to Prometheus histograms); all optional. */
export interface HubObserver {
  /** Time a client's publish took in the engine (broker round trip), in milliseconds. */
  publishLatency?(ms: number): void;
  /** Publish-to-fan-out time of one message fanned out to the local members, in milliseconds. */
  deliveryLatency?(ms: number): void;
}

/** The tail of an empty command chain: one shared settled promise rather than one per connection. */
const SETTLED = Promise.resolve();

/** Commands a session may have in flight before the hub stops reading from it. */
const MAX_IN_FLIGHT = 64;

interface Inbox {
  tail: Promise<void>;
  inFlight: number;
  /** Commands per second of this connection; undefined without a limit. */
  rate?: TokenBucket;
}

/**
 * The node's hub: sessions, the local room index, command dispatch and fan-out. Each room event from the broker
 * is encoded once and the same bytes are written to every local member. Commands of one session run one at a
 * time in arrival order, so a client's sends are published in the order it made them.
 */
export class Hub {
  readonly sessions = new Set<Session>();
  readonly counters: HubCounters = {
    published: 0,
    deliveries: 0,
    slowConsumers: 0,
    engineErrors: 0,
    rateLimited: 0,
    connectionsOpened: 0,
    connectionsClosed: new Map(),
    messagesReceived: 0,
  };
  /** Publish-to-fan-out latency of the messages delivered here, per delivery. */
  readonly latency = new LatencyWindow();
  private readonly rooms: RoomIndex;
  private readonly inboxes = new WeakMap<Session, Inbox>();
  private readonly context: HandlerContext;
  private readonly presenceAnnouncer: PresenceAnnouncer;
  private disconnecting = 0;
  /**
   * While draining, disconnects keep the users' presence: entries expire on their own unless the users reconnect
   * to another node in time, so a rolling restart shows no leave/join storm.
   */
  keepPresenceOnDisconnect = false;
  private emptyWaiters: Array<() => void> = [];
  /** One handler for every session (not a closure per connection). */
  private readonly slowConsumerClosed = (session: Session): void => {
    this.counters.slowConsumers += 1;
    this.deps.logger.warn({ session: session.id, user: session.user.id }, 'slow consumer closed');
  };

  constructor(private readonly deps: HubDeps) {
    this.rooms = new RoomIndex(deps.engine.broker, (room, error) =>
      this.engineFailed('unsubscribe', error, { room }),
    );
    deps.engine.broker.onEvent((event) => this.dispatch(event));
    this.presenceAnnouncer = new PresenceAnnouncer(
      deps.config.presenceBatchMs,
      deps.config.presenceBatchMaxMs,
      (signal) => deps.engine.broker.signal(signal),
      (room, error) => this.engineFailed('presence announce', error, { room }),
    );
    this.context = {
      config: deps.config,
      engine: deps.engine,
      clock: deps.clock,
      ids: deps.ids,
      verifyToken: deps.verifyToken,
      applyIdentity: (session, identity) => this.applyIdentity(session, identity),
      enterRoom: (session, room) => this.enterRoom(session, room),
      exitRoom: (session, room) => this.exitRoom(session, room),
      countReceived: () => {
        this.counters.messagesReceived += 1;
      },
      countPublished: (ms) => {
        this.counters.published += 1;
        deps.observer?.publishLatency?.(ms);
      },
    };
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
   * Re-adds every local session's presence (after the engine lost it, e.g. Redis restarted empty) and announces
   * the users that thereby join again.
   */
  async restorePresence(): Promise<void> {
    const { engine, nodeId } = this.deps;
    const work: Array<Promise<void>> = [];
    for (const session of this.sessions) {
      for (const room of session.rooms) {
        work.push(
          engine.presence
            .add(room, { conn: session.id, user: session.user, node: nodeId })
            .then(async ({ userJoined }) => {
              if (userJoined) this.presenceAnnouncer.joined(room, session.user);
            }),
        );
      }
    }
    const results = await Promise.allSettled(work);
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.engineFailed('restore presence', new Error(`${failed} entries not restored`));
  }

  /**
   * Sends every local member each hosted room's current position. After the engine connection was lost, live
   * messages of that time never reached this node; clients behind the position fetch them from history.
   */
  async announcePositions(): Promise<void> {
    const rooms = [...this.rooms.roomNames()];
    const results = await Promise.allSettled(
      rooms.map(async (room) => {
        const position = await this.deps.engine.log.position(room);
        const members = this.rooms.members(room);
        if (!members) return;
        const frame = encodeFrame({ type: 'position', room, position });
        for (const session of members) session.deliver(room, frame);
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.engineFailed('announce positions', new Error(`${failed} rooms not announced`));
  }

  /**
   * Registers a new connection and sends it the welcome frame.
   * @param options.compact the connection asked for compact `message` frames (`format=compact`)
   */
  connect(transport: Transport, identity: Identity, options: { compact?: boolean } = {}): Session {
    const { config, clock } = this.deps;
    const user = identity.user;
    const session = new Session(this.deps.ids.sessionId(), user, transport, config, this.slowConsumerClosed);
    session.applyIdentity(identity, clock.now());
    session.idleSince = clock.now();
    if (options.compact) session.compact = true;
    this.sessions.add(session);
    this.counters.connectionsOpened += 1;
    this.deps.logger.debug({ session: session.id, user: user.id }, 'connection opened');
    const rate =
      config.commandsPerSec > 0
        ? new TokenBucket(config.commandsPerSec, config.commandsPerSec * 2, clock)
        : undefined;
    this.inboxes.set(session, { tail: SETTLED, inFlight: 0, rate });
    session.reply({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      session: session.id,
      node: this.deps.nodeId,
      user,
      limits: {
        maxTextLength: config.maxTextLength,
        maxRoomsPerConnection: config.maxRoomsPerConnection,
        maxRoomNameLength: config.maxRoomNameLength,
        historyPageMax: config.historyPageMax,
      },
      ...(identity.expiresAt !== undefined ? { expiresAt: identity.expiresAt } : {}),
      ...(options.compact ? { compact: true } : {}),
    });
    return session;
  }

  /** Replaces a session's credentials (token refresh); leaves rooms the new ones no longer allow. */
  private async applyIdentity(session: Session, identity: Identity): Promise<void> {
    session.applyIdentity(identity, this.deps.clock.now());
    for (const room of [...session.rooms]) {
      if (identity.rooms && !roomAllowed(identity.rooms, room)) {
        await this.exitRoom(session, room);
        this.replyError(session, new ReplyError('forbidden', `no longer allowed in room '${room}'`));
      }
    }
  }

  /** Closes sessions that have been in no room for `idleTimeoutMs`. */
  closeIdle(): void {
    const { idleTimeoutMs } = this.deps.config;
    if (idleTimeoutMs <= 0) return;
    const now = this.deps.clock.now();
    for (const session of this.sessions) {
      if (session.idleSince !== undefined && now - session.idleSince >= idleTimeoutMs) {
        session.close(CloseCodes.idle, 'idle: in no room');
      }
    }
  }

  /** Handles one text frame from a session. */
  receive(session: Session, text: string): void {
    const decoded = decodeCommand(text);
    if (!decoded.ok) {
      this.replyError(session, decoded.error, decoded.ref);
      return;
    }
    const command = decoded.command;
    const inbox = this.inboxes.get(session);
    if (!inbox) return;
    if (inbox.rate && !inbox.rate.take()) {
      this.counters.rateLimited += 1;
      const wait = inbox.rate.waitMs();
      this.replyError(
        session,
        new ReplyError('rate_limited', `too many commands: retry in ${wait} ms`),
        command.ref,
      );
      return;
    }
    inbox.inFlight += 1;
    if (inbox.inFlight === MAX_IN_FLIGHT) session.pauseReading();
    inbox.tail = inbox.tail.then(async () => {
      await this.run(session, command);
      inbox.inFlight -= 1;
      if (inbox.inFlight === MAX_IN_FLIGHT / 2) session.resumeReading();
    });
  }

  /** Answers a binary frame: protocol v1 is text only. */
  receiveBinary(session: Session): void {
    this.replyError(session, new ReplyError('binary_unsupported'));
  }

  /**
   * Forgets a session whose connection closed: leaves its rooms (after its pending commands).
   * @param peerCode the close code the connection ended with, counted unless the server closed it first
   */
  async disconnect(session: Session, peerCode = 1006): Promise<void> {
    if (!this.sessions.delete(session)) return;
    const code = session.closedWith ?? peerCode;
    this.counters.connectionsClosed.set(code, (this.counters.connectionsClosed.get(code) ?? 0) + 1);
    this.deps.logger.debug({ session: session.id, user: session.user.id, code }, 'connection closed');
    this.disconnecting += 1;
    try {
      session.markClosed();
      const inbox = this.inboxes.get(session);
      if (inbox) await inbox.tail;
      await Promise.all([...session.rooms].map((room) => this.exitRoom(session, room)));
    } finally {
      this.disconnecting -= 1;
      this.notifyIfEmpty();
    }
  }

  /** Resolves once no session is connected and every disconnect has finished its clean-up. */
  whenEmpty(): Promise<void> {
    return new Promise((resolve) => {
      this.emptyWaiters.push(resolve);
      this.notifyIfEmpty();
    });
  }

  private notifyIfEmpty(): void {
    if (this.sessions.size > 0 || this.disconnecting > 0) return;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Sends presence changes still waiting in the coalescing window. */
  flushPresence(): Promise<void> {
    return this.presenceAnnouncer.flush();
  }

  /** Closes every session with the given code (e.g. on shutdown). */
  closeAll(code: number, reason: string): void {
    for (const session of this.sessions) session.close(code, reason);
  }

  private async run(session: Session, command: Command): Promise<void> {
    if (session.closed) return;
    const handler = handlers[command.type] as Handler<typeof command.type>;
    try {
      await handler(this.context, session, command);
    } catch (error) {
      this.replyError(session, this.toReplyError(error, command), command.ref);
    }
  }

  private toReplyError(error: unknown, command: Command): ReplyError {
    const refusal = refusalOf(error);
    if (refusal.cause === 'rate') this.counters.rateLimited += 1;
    else if (refusal.cause === 'engine') this.engineFailed(command.type, error);
    else if (refusal.cause === 'bug') {
      this.counters.engineErrors += 1;
      this.deps.logger.error({ err: error, command: command.type }, 'command failed');
    }
    return refusal.error;
  }

  private replyError(session: Session, error: ReplyError, ref?: number): void {
    const frame: ServerFrame = {
      type: 'error',
      code: error.code,
      message: error.message,
      temporary: error.temporary,
      ...(ref !== undefined ? { ref } : {}),
    };
    session.reply(frame);
  }

  private async enterRoom(session: Session, room: string): Promise<void> {
    const { engine, nodeId } = this.deps;
    session.rooms.add(room);
    session.idleSince = undefined;
    await this.rooms.add(room, session);
    const { userJoined } = await engine.presence.add(room, {
      conn: session.id,
      user: session.user,
      node: nodeId,
    });
    if (userJoined) this.presenceAnnouncer.joined(room, session.user);
  }

  private async exitRoom(session: Session, room: string): Promise<void> {
    if (!session.rooms.delete(room)) return;
    session.forgetRoom(room);
    if (session.rooms.size === 0) session.idleSince = this.deps.clock.now();
    this.rooms.remove(room, session);
    if (this.keepPresenceOnDisconnect && session.closed) return;
    try {
      const { userLeft } = await this.deps.engine.presence.remove(room, session.id);
      if (userLeft) await this.announceLeave(room, session.user);
    } catch (error) {
      // The store retries the removal in its next expire(), which reports the leave then.
      this.engineFailed('presence remove', error, { room });
      return;
    }
    // The last local member is gone (and no new one came while presence was removed): a room that never had a
    // message costs nothing from now on, unless a member on another node still holds it.
    if (this.rooms.members(room) === undefined) {
      await this.deps.engine.log
        .forget(room)
        .catch((error) => this.engineFailed('forget empty room', error, { room }));
    }
  }

  /** Announces that a user left a room (last connection gone). */
  announceLeave(room: string, user: UserInfo): void {
    this.presenceAnnouncer.left(room, user);
  }

  /**
   * Closes every local connection of a user with the terminal `forbidden` code (the server API's "disconnect
   * everywhere" reaches each node as a control event).
   * @returns the number of connections closed here
   */
  disconnectUser(userId: string, reason: string): number {
    let closed = 0;
    for (const session of this.sessions) {
      if (session.user.id !== userId || session.closed) continue;
      session.close(CloseCodes.forbidden, reason);
      closed += 1;
    }
    if (closed > 0) this.deps.logger.info({ user: userId, connections: closed }, 'user disconnected');
    return closed;
  }

  private dispatch(event: RoomEvent): void {
    if (event.kind === 'control') {
      if (event.action === 'disconnect_user') this.disconnectUser(event.user, event.reason);
      return;
    }
    const members = this.rooms.members(event.room);
    if (!members || members.size === 0) return;
    if (event.kind === 'message') {
      // Each format is encoded at most once per message, whatever the number of members.
      let frame: Buffer | undefined;
      let compact: Buffer | undefined;
      for (const session of members) {
        if (session.compact) {
          compact ??= encodeCompactMessage(event.message);
          session.deliver(event.room, compact, event.message);
        } else {
          frame ??= encodeFrame({ type: 'message', ...event.message });
          session.deliver(event.room, frame, event.message);
        }
      }
      this.counters.deliveries += members.size;
      const latency = this.deps.clock.now() - event.message.ts;
      this.latency.record(latency, members.size);
      this.deps.observer?.deliveryLatency?.(latency);
      return;
    }
    if (event.kind === 'typing') {
      const frame = encodeFrame({ type: 'typing', room: event.room, user: event.user });
      for (const session of members) {
        if (session.user.id !== event.user.id) session.deliver(event.room, frame);
      }
      return;
    }
    const frame = encodeFrame({
      type: 'presence_diff',
      room: event.room,
      joins: event.joins,
      leaves: event.leaves,
    });
    for (const session of members) session.deliver(event.room, frame);
  }

  private engineFailed(operation: string, error: unknown, extra: Record<string, unknown> = {}): void {
    this.counters.engineErrors += 1;
    this.deps.logger.warn({ err: error, operation, ...extra }, 'engine operation failed');
  }
}
