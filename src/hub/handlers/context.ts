import type { Identity } from '../../auth/identity.js';
import type { TokenVerifier } from '../../auth/jwt.js';
import type { Config } from '../../config/config.js';
import type { Engine } from '../../engine/engine.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { CommandOf, CommandType } from '../../protocol/messages.js';
import type { Clock } from '../../util/clock.js';
import type { IdGenerator } from '../../util/ids.js';
import type { Membership } from '../membership.js';
import type { Session } from '../session.js';

/** What the hub offers command handlers. */
export interface HandlerContext {
  readonly config: Config;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Verifies a refreshed token; undefined in anonymous mode. */
  readonly verifyToken?: TokenVerifier;
  /** Rooms and presence: `enter` and `exit` a room. */
  readonly membership: Membership;
  /** Replaces the session's credentials (expiry, room rules). */
  applyIdentity(session: Session, identity: Identity): Promise<void>;
  /** Counts a `send` command received from a client. */
  countReceived(): void;
  /** Counts a message accepted from a client and stored, whose publish took `ms`. */
  countPublished(ms: number): void;
}

/** A command handler: validates what the schema cannot, does the work and replies. */
export type Handler<T extends CommandType> = (
  ctx: HandlerContext,
  session: Session,
  command: CommandOf<T>,
) => Promise<void>;

const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Checks a room name against the configured length and the allowed characters. */
export function checkRoomName(room: string, config: Config): string {
  if (room.length === 0 || room.length > config.maxRoomNameLength || !ROOM_NAME.test(room)) {
    throw new ReplyError(
      'invalid_room',
      `room name must be 1-${config.maxRoomNameLength} characters of letters, digits and _ . : - ` +
        'starting with a letter or digit',
    );
  }
  return room;
}

/** Checks a message text: not blank, at most `maxTextLength` characters. */
export function checkText(text: string, config: Config): string {
  if (text.trim().length === 0) throw new ReplyError('text_empty');
  if (text.length > config.maxTextLength) {
    throw new ReplyError('text_too_long', `message text is longer than ${config.maxTextLength} characters`);
  }
  return text;
}

/** Checks that the session has joined the room. */
export function requireJoined(session: Session, room: string, config: Config): string {
  checkRoomName(room, config);
  if (!session.rooms.has(room)) throw new ReplyError('not_joined', `room '${room}' not joined`);
  return room;
}
