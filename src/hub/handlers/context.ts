import type { Identity } from '../../auth/identity.js';
import type { TokenVerifier } from '../../auth/jwt.js';
import type { Config } from '../../config/config.js';
import type { Drafts } from '../../drafts/drafts.js';
import type { Engine } from '../../engine/engine.js';
import type { LinkPreviews } from '../../links/link-previews.js';
import type { LatencyWindow } from '../../metrics/latency-window.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { CommandOf, CommandType } from '../../protocol/messages.js';
import { checkRoomName } from '../../protocol/rules.js';
import type { Caller, RoomService } from '../../rooms/room-service.js';
import type { UserStatuses } from '../../rooms/user-statuses.js';
import type { ScheduledMessages } from '../../schedule/scheduled-messages.js';
import type { Clock } from '../../util/clock.js';
import type { IdGenerator } from '../../util/ids.js';
import type { Semaphore } from '../../util/semaphore.js';
import type { EventFeed } from '../event-feed.js';
import type { Membership } from '../membership.js';
import type { PresencePageJson } from '../presence-page-json.js';
import type { ReadMarkers } from '../read-markers.js';
import type { Session } from '../session.js';
import type { Uploads } from '../uploads.js';

/** What the hub offers command handlers. */
export interface HandlerContext {
  readonly config: Config;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Verifies a refreshed token; undefined in anonymous mode. */
  readonly verifyToken?: TokenVerifier;
  /** Resumes (joins with `since`) in progress at once, at most `recoveryConcurrency`. */
  readonly recoveries: Semaphore;
  /** The encoded presence pages of join replies, per room (see PresencePageJson). */
  readonly presencePages: PresencePageJson;
  /** Rooms and presence: `enter` and `exit` a room. */
  readonly membership: Membership;
  /** Group chat (rooms, membership, moderation); undefined when the engine keeps no rooms (`--store redis`). */
  readonly rooms?: RoomService;
  /** Read markers (undefined when the engine keeps no rooms: `read` is then accepted and ignored). */
  readonly readMarkers?: ReadMarkers;
  /** Messages sent later (undefined when the engine keeps no rooms: `--store redis`). */
  readonly scheduled?: ScheduledMessages;
  /** Users' drafts; undefined when the server keeps no rooms (`--store redis`). */
  readonly drafts?: Drafts;
  /** What users say of themselves (undefined when the engine keeps no rooms: `--store redis`). */
  readonly statuses?: UserStatuses;
  /** Previews of the pages messages link to (undefined with `--link-previews off`). */
  readonly linkPreviews?: LinkPreviews;
  /** Uploads of files (undefined when the engine keeps no files: `--store redis`). */
  readonly uploads?: Uploads;
  /** The dashboards' live feed of events (records only while one watches). */
  readonly feed: EventFeed;
  /** Delivery latency: a `send` marks its message, so that its fan-out here is timed to the microsecond. */
  readonly latency: LatencyWindow;
  /** Replaces the session's credentials (expiry, room rules). */
  applyIdentity(session: Session, identity: Identity): Promise<void>;
  /** Counts a `send` command received from a client. */
  countReceived(): void;
  /** Counts a command a handler refused for a rate of its own (searches per minute). */
  countRateLimited(): void;
  /** Counts a message accepted from a client and stored, whose publish took `ms`. */
  countPublished(ms: number): void;
}

/** A command handler: validates what the schema cannot, does the work and replies. */
export type Handler<T extends CommandType> = (
  ctx: HandlerContext,
  session: Session,
  command: CommandOf<T>,
) => Promise<void>;

/** Checks that the session has joined the room. */
export function requireJoined(session: Session, room: string, config: Config): string {
  checkRoomName(room, config);
  if (!session.rooms.has(room)) throw new ReplyError('not_joined', `room '${room}' not joined`);
  return room;
}

/** The session's user, as group chat's operations see them. */
export function callerOf(session: Session): Caller {
  return {
    user: session.user,
    admin: session.admin,
    ...(session.roomRules ? { rooms: session.roomRules } : {}),
  };
}

/** Group chat's operations, or `unsupported` when this server keeps no rooms. */
export function roomsOf(ctx: HandlerContext): RoomService {
  if (!ctx.rooms) {
    throw new ReplyError(
      'unsupported',
      'this server keeps no rooms (--store redis): rooms are joined by name',
    );
  }
  return ctx.rooms;
}
