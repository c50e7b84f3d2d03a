/**
 * Protocol v1: the client commands, validated at the boundary with TypeBox schemas. The server frames and the rest
 * of the wire vocabulary are client/wire's. docs/protocol.md is the prose description of both; keep them in step.
 */
import { type Static, Type } from '@sinclair/typebox';

import type { ClientCommand } from '../../client/wire/commands.js';

export { PROTOCOL_VERSION } from '../../client/wire/domain.js';
export type * from '../../client/wire/frames.js';

const Ref = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Room = Type.String();
const Offset = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const strict = { additionalProperties: false } as const;

export const JoinCommand = Type.Object(
  {
    type: Type.Literal('join'),
    ref: Ref,
    room: Room,
    /** Last position the client saw in this room; asks the server to resume from it. */
    since: Type.Optional(Type.Object({ offset: Offset, epoch: Type.String({ maxLength: 64 }) }, strict)),
  },
  strict,
);
export const LeaveCommand = Type.Object({ type: Type.Literal('leave'), ref: Ref, room: Room }, strict);
export const SendCommand = Type.Object(
  {
    type: Type.Literal('send'),
    ref: Ref,
    room: Room,
    text: Type.String(),
    /** Client message id: unique per sender and room; a retry with the same id publishes nothing new. */
    cid: Type.String({ minLength: 1, maxLength: 64 }),
  },
  strict,
);
export const HistoryCommand = Type.Object(
  {
    type: Type.Literal('history'),
    ref: Ref,
    room: Room,
    /** Return messages with an offset strictly below this one (default: the newest). */
    before: Type.Optional(Offset),
    /** Return the oldest messages with an offset strictly above this one (to fill a gap). */
    after: Type.Optional(Offset),
    /** Page size (default and maximum are configuration). */
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  strict,
);
export const PresenceCommand = Type.Object({ type: Type.Literal('presence'), ref: Ref, room: Room }, strict);
export const TypingCommand = Type.Object(
  { type: Type.Literal('typing'), ref: Type.Optional(Ref), room: Room },
  strict,
);
export const PingCommand = Type.Object({ type: Type.Literal('ping'), ref: Ref }, strict);
/** Replaces the connection's token before it expires (verified-token mode). */
export const RefreshCommand = Type.Object(
  { type: Type.Literal('refresh'), ref: Ref, token: Type.String({ minLength: 1, maxLength: 8192 }) },
  strict,
);

/** Every command schema, keyed by its `type`. */
export const CommandSchemas = {
  join: JoinCommand,
  leave: LeaveCommand,
  send: SendCommand,
  history: HistoryCommand,
  presence: PresenceCommand,
  typing: TypingCommand,
  ping: PingCommand,
  refresh: RefreshCommand,
} as const;

export type CommandType = keyof typeof CommandSchemas;
export type CommandOf<T extends CommandType> = Static<(typeof CommandSchemas)[T]>;
/** Any client command. */
export type Command = { [T in CommandType]: CommandOf<T> }[CommandType];

/**
 * The schemas and the wire vocabulary's command types (client/wire/commands.ts) describe the same commands: each
 * must be assignable to the other, or this stops compiling.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const commandsAgree: Same<Command, ClientCommand> = true;
void commandsAgree;
