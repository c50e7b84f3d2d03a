import type { Identity } from '../auth/identity.js';
import { roomAllowed } from '../auth/identity.js';
import type { TokenVerifier } from '../auth/jwt.js';
import { ClusterQueries } from '../cluster/cluster-queries.js';
import { type Config, invitationTtlOf, linkPreviewImageBytes, scheduleMaxAheadOf } from '../config/config.js';
import { Drafts } from '../drafts/drafts.js';
import type { Engine } from '../engine/engine.js';
import { type UserNotice, userChannel } from '../engine/types.js';
import { LinkPreviews } from '../links/link-previews.js';
import { LatencyWindow } from '../metrics/latency-window.js';
import { CloseCodes } from '../protocol/close-codes.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { MembershipCache } from '../rooms/membership-cache.js';
import { RoomService } from '../rooms/room-service.js';
import { UserStatuses } from '../rooms/user-statuses.js';
import { ScheduledMessages } from '../schedule/scheduled-messages.js';
import type { ConnectionHandler, ConnectOptions } from '../transport/connection-handler.js';
import type { Transport } from '../transport/transport.js';
import type { Clock, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { Semaphore } from '../util/semaphore.js';
import { CommandRunner } from './command-runner.js';
import { ConnectionIndex } from './connection-index.js';
import { EventFeed } from './event-feed.js';
import type { FailureReporter } from './failures.js';
import { FanOut } from './fan-out.js';
import type { HandlerContext } from './handlers/context.js';
import { Membership } from './membership.js';
import { OrderedDelivery } from './ordered-delivery.js';
import { PresencePageJson } from './presence-page-json.js';
import { ReadMarkers } from './read-markers.js';
import { RoomChanges } from './room-changes.js';
import { Session, type SessionEnv } from './session.js';
import { Uploads } from './uploads.js';

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
  timers: Timers;
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
  /** Commands held back because their user's replies spent the reply budget (`--reply-bytes-per-sec`). */
  replyWaits: number;
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

/**
 * The node's hub: the sessions of this node and the parts that serve them. It owns the connection lifecycle
 * (connect, welcome, disconnect, idle and drain) and wires three parts together: the {@link CommandRunner} (each
 * connection's commands, in order, through the handler table), {@link Membership} (rooms, presence, subscriptions)
 * and {@link FanOut} (the broker's events to local members, encoded once).
 */
export class Hub implements ConnectionHandler<Session> {
  readonly sessions = new Set<Session>();
  /** This node's connections in listing order (what operators page through). */
  readonly directory: ConnectionIndex;
  /** Questions to every node (the cluster-wide connection list). */
  readonly queries: ClusterQueries;
  /** The dashboards' live feed of events. */
  readonly feed: EventFeed;
  readonly counters: HubCounters = {
    published: 0,
    deliveries: 0,
    slowConsumers: 0,
    engineErrors: 0,
    rateLimited: 0,
    replyWaits: 0,
    connectionsOpened: 0,
    connectionsClosed: new Map(),
    messagesReceived: 0,
  };
  /** Publish-to-fan-out latency of the messages delivered here, per delivery. */
  readonly latency: LatencyWindow;
  readonly membership: Membership;
  /** Group chat's operations; undefined when the engine keeps no rooms (`--store redis`). */
  readonly rooms?: RoomService;
  /** Uploads of files; undefined when the engine keeps no files (`--store redis`). */
  readonly uploads?: Uploads;
  /** What users say of themselves; undefined when the engine keeps no rooms (`--store redis`). */
  readonly statuses?: UserStatuses;
  /** Previews of the pages messages link to; undefined with `--link-previews off`. */
  readonly linkPreviews?: LinkPreviews;
  /** Messages sent later (undefined where the engine keeps no rooms). */
  readonly scheduled?: ScheduledMessages;
  readonly drafts?: Drafts;
  /** Read markers, batched into the directory (undefined where the engine keeps no rooms). */
  readonly readMarkers?: ReadMarkers;
  /** Puts each room's messages in offset order before fan-out. */
  readonly ordering: OrderedDelivery;
  private readonly commands: CommandRunner;
  private disconnecting = 0;
  /** Shared by every session (not fields per connection). */
  private readonly sessionEnv: SessionEnv;
  private emptyWaiters: Array<() => void> = [];
  /** One handler for every session (not a closure per connection). */
  private readonly slowConsumerClosed = (session: Session): void => {
    this.counters.slowConsumers += 1;
    this.feed.record({ type: 'slow_consumer', user: session.user, reason: 'did not read fast enough' });
    this.deps.logger.warn({ session: session.id, user: session.user.id }, 'slow consumer closed');
  };
  /**
   * Counts and logs an engine failure, for every part of the node (the hub's own, the maintenance loops, the stats
   * report). While the engine is known to be down (logged once, as the outage) it is logged at debug only.
   */
  readonly reportFailure: FailureReporter = (operation, error, extra = {}) => {
    this.counters.engineErrors += 1;
    const line = { err: error, operation, ...extra };
    if (this.deps.engine.isReady()) this.deps.logger.warn(line, 'engine operation failed');
    else this.deps.logger.debug(line, 'engine operation failed while the engine is down');
  };

  constructor(private readonly deps: HubDeps) {
    const { config, engine, clock, ids, timers } = deps;
    this.latency = new LatencyWindow(clock);
    this.sessionEnv = {
      limits: config,
      time: { clock, timers },
      onSlowConsumer: this.slowConsumerClosed,
    };
    this.directory = new ConnectionIndex(deps.nodeId);
    this.queries = new ClusterQueries({
      nodeId: deps.nodeId,
      broker: engine.broker,
      timers,
      ids,
      liveNodes: async () => (await engine.registry.view()).nodes.length,
      answer: (query) => this.directory.slice(query),
      timeoutMs: 2000,
    });
    this.feed = new EventFeed({
      nodeId: deps.nodeId,
      broker: engine.broker,
      clock,
      timers,
      includeText: config.adminToken !== '',
      budget: config.feedEventsPerSec,
      flushMs: 500,
      report: (operation, error) => this.reportFailure(operation, error),
    });
    // Every room event reaches members through here, in offset order (see OrderedDelivery).
    this.ordering = new OrderedDelivery({
      read: (room, query) => engine.log.read(room, query),
      deliver: (event) => fanOut.dispatch(event),
      timers,
      holdMs: config.orderHoldMs,
      fillMax: config.historyPageMax,
      report: this.reportFailure,
    });
    // A notice for every connection of a user, wherever it is (their own channel).
    const notifyUser = (user: string, notice: UserNotice) =>
      engine.broker.signal({ kind: 'user', room: userChannel(user), user, notice });
    // Group chat, where the engine keeps rooms: permissions from a cache that the rooms' own channels invalidate.
    const directory = engine.directory;
    const cache = directory
      ? new MembershipCache(directory, clock, {
          maxEntries: config.membershipCacheSize,
          invitationTtlMs: invitationTtlOf(config),
        })
      : undefined;
    const changes = cache ? new RoomChanges(cache, this.reportFailure) : undefined;
    this.membership = new Membership({
      config,
      engine,
      clock,
      timers,
      nodeId: deps.nodeId,
      report: this.reportFailure,
      ordering: this.ordering,
      subscriptions: changes,
    });
    if (changes) changes.membership = this.membership;
    this.rooms =
      directory && cache
        ? new RoomService({
            directory,
            cache,
            log: engine.log,
            config,
            clock,
            ids,
            notify: notifyUser,
            announce: (change) => engine.broker.signal({ kind: 'member', ...change }),
            report: this.reportFailure,
          })
        : undefined;
    this.readMarkers = directory
      ? new ReadMarkers({
          directory,
          log: engine.log,
          timers,
          flushMs: config.readMarkerFlushMs,
          batchMax: config.readMarkerBatchMax,
          notify: notifyUser,
          seen: (room, user, offset) => engine.broker.signal({ kind: 'seen', room, user, offset }),
          report: this.reportFailure,
        })
      : undefined;
    if (changes) changes.readMarkers = this.readMarkers;
    // Subscriptions lost and taken again: invalidations of that time were missed.
    engine.onRecovered(() => cache?.invalidateAll());
    const fanOut = new FanOut({
      rooms: this.membership.rooms,
      presenceChanged: (room) => this.membership.listing.changed(room),
      counters: this.counters,
      latency: this.latency,
      observer: deps.observer,
      onControl: (event) => {
        if (event.action === 'disconnect_user') this.disconnectUser(event.user, event.reason);
        else if (event.action === 'query')
          this.queries.onQuery(event).catch((error) => this.reportFailure('answer a cluster query', error));
        else if (event.action === 'answer') this.queries.onAnswer(event);
        else this.feed.receive(event);
      },
      changes,
    });
    engine.broker.onEvent((event) => this.ordering.accept(event));
    this.uploads = engine.files
      ? new Uploads({
          files: engine.files,
          config,
          clock,
          timers,
          ids,
          refuse: (session, error, ref) => this.commands.replyError(session, error, ref),
        })
      : undefined;
    const rooms = this.rooms;
    this.scheduled =
      rooms && engine.scheduled
        ? new ScheduledMessages({
            store: engine.scheduled,
            rules: rooms,
            log: engine.log,
            clock,
            ids,
            maxPerUser: config.maxScheduledPerUser,
            maxAheadMs: scheduleMaxAheadOf(config),
            notify: notifyUser,
            remindDue: (limit) => rooms.remindDue(limit),
            sent: (message) => {
              // As a `send`: its sender has read the room up to it, and the dashboards' feed shows it.
              this.readMarkers?.mark(message.from.id, message.room, message.offset);
              this.feed.message(message.room, message.from, message.text);
            },
            report: this.reportFailure,
          })
        : undefined;
    this.drafts =
      rooms && engine.drafts
        ? new Drafts({
            store: engine.drafts,
            clock,
            maxPerUser: config.maxDraftsPerUser,
            maxTextLength: config.maxTextLength,
            notify: notifyUser,
          })
        : undefined;
    this.statuses = directory
      ? new UserStatuses({
          directory,
          clock,
          notify: notifyUser,
          announce: (room, user, status) => engine.broker.signal({ kind: 'status', room, user, status }),
        })
      : undefined;
    this.linkPreviews =
      config.linkPreviews === 'off'
        ? undefined
        : new LinkPreviews(
            {
              reach: config.linkPreviews === 'any' ? 'any' : 'public',
              timeoutMs: config.linkPreviewTimeoutMs,
              pageMaxBytes: config.linkPreviewPageMaxBytes,
              imageMaxBytes: linkPreviewImageBytes(config),
              cacheBytes: config.linkPreviewCacheBytes,
              maxFetches: config.maxLinkPreviewFetches,
            },
            { clock, timers, logger: deps.logger },
          );
    const context: HandlerContext = {
      config,
      engine,
      linkPreviews: this.linkPreviews,
      uploads: this.uploads,
      statuses: this.statuses,
      clock,
      ids,
      verifyToken: deps.verifyToken,
      membership: this.membership,
      rooms: this.rooms,
      readMarkers: this.readMarkers,
      scheduled: this.scheduled,
      drafts: this.drafts,
      feed: this.feed,
      latency: this.latency,
      recoveries: new Semaphore(config.recoveryConcurrency),
      presencePages: new PresencePageJson(config.presencePageCacheRooms),
      applyIdentity: (session, identity) => this.applyIdentity(session, identity),
      countReceived: () => {
        this.counters.messagesReceived += 1;
      },
      countRateLimited: () => {
        this.counters.rateLimited += 1;
      },
      countPublished: (ms) => {
        this.counters.published += 1;
        deps.observer?.publishLatency?.(ms);
      },
    };
    this.commands = new CommandRunner({
      config,
      clock,
      timers,
      logger: deps.logger,
      counters: this.counters,
      report: this.reportFailure,
      context,
    });
  }

  /** Changes whenever {@link roomNames} would list other rooms. */
  get roomsVersion(): number {
    return this.membership.rooms.membersVersion;
  }

  /** Number of rooms with local members. */
  get roomCount(): number {
    return this.membership.roomCount;
  }

  /** Rooms with at least one local member. */
  roomNames(): string[] {
    return this.membership.roomNames();
  }

  /**
   * Registers a new connection and sends it the welcome frame.
   * @param options.compact the connection asked for compact `message` frames (`format=compact`)
   */
  connect(transport: Transport, identity: Identity, options: ConnectOptions = {}): Session {
    const { config, clock } = this.deps;
    const user = identity.user;
    const session = new Session(this.deps.ids.sessionId(), user, transport, this.sessionEnv);
    session.applyIdentity(identity);
    session.idleSince = clock.now();
    session.connectedAt = session.idleSince;
    if (options.compact) session.compact = true;
    if (options.address !== undefined) session.address = options.address;
    if (options.agent !== undefined) session.agent = options.agent;
    this.sessions.add(session);
    this.directory.add(session);
    this.counters.connectionsOpened += 1;
    this.deps.logger.debug({ session: session.id, user: user.id }, 'connection opened');
    this.commands.open(session);
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
        presencePageMax: config.presencePageMax,
        maxFileBytes: this.uploads ? config.maxFileBytes : 0,
        maxFilesPerMessage: config.maxFilesPerMessage,
        linkPreviews: this.linkPreviews !== undefined,
        roomMentionMaxMembers: config.roomMentionMaxMembers,
      },
      ...(identity.expiresAt !== undefined ? { expiresAt: identity.expiresAt } : {}),
      ...(options.compact ? { compact: true } : {}),
    });
    return session;
  }

  /** Handles one text frame from a session. */
  receive(session: Session, text: string): void {
    this.commands.receive(session, text);
  }

  /** Answers a binary frame: protocol v1 is text only. */
  receiveBinary(session: Session, bytes: Buffer): void {
    this.commands.receiveBinary(session, bytes);
  }

  /**
   * Replaces a session's credentials (token refresh). The rooms the new ones no longer allow are left on this
   * connection, each said with `room_removed` (reason `forbidden`): the client must not resume them. The membership
   * stays: another of the user's tokens may allow the room.
   */
  private async applyIdentity(session: Session, identity: Identity): Promise<void> {
    session.applyIdentity(identity);
    const rules = identity.rooms;
    if (!rules) return;
    for (const room of [...session.rooms]) {
      if (roomAllowed(rules, room)) continue;
      await this.membership.exit(session, room);
      session.reply({ type: 'room_removed', room, reason: 'forbidden' });
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

  /**
   * Forgets a session whose connection closed: leaves its rooms (after its pending commands).
   * @param peerCode the close code the connection ended with, counted unless the server closed it first
   */
  async disconnect(session: Session, peerCode = 1006): Promise<void> {
    if (!this.sessions.delete(session)) return;
    this.directory.remove(session);
    const code = session.closedWith ?? peerCode;
    this.feed.record({ type: 'disconnect', user: session.user, code });
    this.counters.connectionsClosed.set(code, (this.counters.connectionsClosed.get(code) ?? 0) + 1);
    this.deps.logger.debug({ session: session.id, user: session.user.id, code }, 'connection closed');
    this.disconnecting += 1;
    try {
      session.markClosed();
      await this.commands.settled(session);
      // An upload left unfinished is dropped (its record and bytes; the sweep takes them if this fails).
      await this.uploads?.cancel(session).catch((error) => this.reportFailure('drop an upload', error));
      this.membership.unfollowAll(session);
      await Promise.all([...session.rooms].map((room) => this.membership.exit(session, room)));
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

  /**
   * Drains: connections closed from now on keep their users' presence (see {@link Membership.startDraining}),
   * and every session is closed with `code`.
   */
  drain(code: number, reason: string, keepPresence: boolean): void {
    if (keepPresence) this.membership.startDraining();
    this.closeAll(code, reason);
  }

  /** Closes every session with the given code. */
  private closeAll(code: number, reason: string): void {
    for (const session of this.sessions) session.close(code, reason);
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
}
