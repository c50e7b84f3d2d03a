import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { isUserId, USER_ID_MAX_LENGTH, USER_ID_PATTERN } from '../../client/wire/rules.js';
import { checkedDisplayName, displayNameRule } from '../auth/display-name.js';
import type { ClusterQueries } from '../cluster/cluster-queries.js';
import { connectionQueryOf, listConnections } from '../cluster/connection-listing.js';
import type { Config } from '../config/config.js';
import type { Engine } from '../engine/engine.js';
import { CONTROL_ROOM } from '../engine/types.js';
import { claimFiles, feedText } from '../files/claim-files.js';
import type { ConnectionRecord } from '../hub/connection-index.js';
import type { EventFeed } from '../hub/event-feed.js';
import { editsLimits, readEdits } from '../hub/handlers/edits.js';
import { readHistory } from '../hub/handlers/history.js';
import { actOnMessage } from '../hub/handlers/messages.js';
import { replyBudget } from '../hub/handlers/reply-budget.js';
import { type SearchRequest, searchOf, searchPage } from '../hub/handlers/search.js';
import type { Uploads } from '../hub/uploads.js';
import type { SearchHas } from '../log/message-search.js';
import { describeViolation, NUL_REFUSAL } from '../protocol/codec.js';
import { InviteLinkOptionFields, UserStatusSchema } from '../protocol/messages.js';
import { checkBroadcast, checkRoomName, checkText } from '../protocol/rules.js';
import { type Caller, type RoomService, SYSTEM_USER, type UnstoredMarkers } from '../rooms/room-service.js';
import type { UserStatuses } from '../rooms/user-statuses.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import {
  HttpRefusal,
  httpRefusalOf,
  parseJson,
  presentedToken,
  readBody,
  sameSecret,
  sendJson,
  sendRefusal,
} from './respond.js';

/** What the server API works with. */
export interface ServerApiDeps {
  config: Config;
  engine: Engine;
  /** Group chat's operations; undefined when the engine keeps no rooms (`--store redis`). */
  rooms?: RoomService;
  /** This instance's read markers not stored yet: a user's room list counts from them (see ReadMarkers.unstored). */
  readMarkers?: UnstoredMarkers;
  /** Questions to every node (who is online, with their connections). */
  queries: ClusterQueries;
  /** The dashboard's live feed: messages published here are in it, as a client's are. */
  events?: EventFeed;
  /** Uploads of files (undefined where the engine keeps none: `--store redis`). */
  uploads?: Uploads;
  /** What users say of themselves (undefined where the engine keeps no rooms: `--store redis`). */
  statuses?: UserStatuses;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}

/** Handles a request if it is a server API path; false otherwise. */
export type ServerApi = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;

/** Paths the server API owns; it authenticates them itself. */
export const SERVER_API_PREFIXES = ['/api/rooms', '/api/users'] as const;

/** Request bodies are small JSON objects. */
const MAX_BODY_BYTES = 64 * 1024;

const strict = { additionalProperties: false };
/** User ids as identities give them (token `sub`s, anonymous ids). */
const UserIdField = Type.String({ minLength: 1, maxLength: USER_ID_MAX_LENGTH, pattern: USER_ID_PATTERN });
/** A display name's type; its rule (printable, at most `maxNameLength`) is checked by {@link displayName}. */
const NameField = Type.String({ maxLength: 1024 });
const PublishBody = Type.Object(
  {
    // No minLength: an empty text is `text_empty`, as on the WebSocket (checkText), not a schema violation.
    text: Type.String(),
    /** Idempotency key: a retry with the same cid publishes nothing new. */
    cid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(Type.Object({ id: UserIdField, name: NameField }, strict)),
    /** The offset of a thread's root: the message is a reply in that thread (docs/protocol.md, "Threads"). */
    thread: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    /** With `thread`: the reply is also sent to the room (docs/protocol.md, "Threads"). */
    broadcast: Type.Optional(Type.Boolean()),
    /** Files uploaded for the message (`POST /api/rooms/{room}/files`) by its sender (`from`). */
    files: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }), {
        minItems: 1,
        maxItems: 100,
      }),
    ),
  },
  strict,
);
const DisconnectBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 100 })) }, strict);
const UserRef = Type.Object({ id: UserIdField, name: Type.Optional(NameField) }, strict);
const RoleField = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
const CreateRoomBody = Type.Object(
  {
    name: Type.String(),
    kind: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('private')])),
    topic: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    /** The room's owner (its first member). */
    owner: UserRef,
  },
  strict,
);
const UpdateRoomBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    topic: Type.Optional(Type.String()),
    archived: Type.Optional(Type.Boolean()),
    announceJoins: Type.Optional(Type.Boolean()),
  },
  strict,
);
const AddMemberBody = Type.Object({ user: UserRef, role: Type.Optional(RoleField) }, strict);
const RoleBody = Type.Object({ role: RoleField }, strict);
const BanBody = Type.Object(
  {
    user: UserIdField,
    reason: Type.Optional(Type.String()),
    until: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  },
  strict,
);
const WebhookBody = Type.Object({ name: Type.String({ maxLength: 1024 }) }, strict);
const InviteLinkBody = Type.Object(InviteLinkOptionFields, strict);
const checkInviteLink = TypeCompiler.Compile(InviteLinkBody);
const checkWebhook = TypeCompiler.Compile(WebhookBody);
const checkCreateRoom = TypeCompiler.Compile(CreateRoomBody);
const checkAddMember = TypeCompiler.Compile(AddMemberBody);
const checkUpdateRoom = TypeCompiler.Compile(UpdateRoomBody);
const checkRole = TypeCompiler.Compile(RoleBody);
const checkBan = TypeCompiler.Compile(BanBody);
/** The server API acts as a server admin (above every room role), named as the system sender. */
const API_CALLER: Caller = { user: SYSTEM_USER, admin: true };
const checkPublish = TypeCompiler.Compile(PublishBody);
const checkDisconnect = TypeCompiler.Compile(DisconnectBody);
const checkStatus = TypeCompiler.Compile(UserStatusSchema);

/** A JSON body of at most MAX_BODY_BYTES (415 for another content type, 413 beyond, 400 for bad JSON). */
async function readJson(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) {
    throw new HttpRefusal(415, 'bad_request', 'send a JSON body with content-type application/json');
  }
  return parseJson(await readBody(request, MAX_BODY_BYTES));
}

function validated<T extends TSchema>(checker: TypeCheck<T>, value: unknown): Static<T> {
  if (checker.Check(value)) return value;
  throw new HttpRefusal(400, 'bad_request', describeViolation(checker, value, 'body'));
}

/**
 * An integer query parameter of at least `min`, or undefined when absent. A malformed value is `bad_request`, as a
 * field of the wrong type or range is in the protocol's `history` command.
 */
function intParam(url: URL, name: string, min: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new HttpRefusal(400, 'bad_request', `${name} must be an integer of at least ${min}`);
  }
  return value;
}

/**
 * A text query parameter that reaches the database, or undefined when absent. U+0000 is refused (the database's
 * text cannot hold it). The online list's cursors are not read with this: they never reach the database, and they
 * use U+0000 as their separator because no name can hold it.
 */
function textParam(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value === null ? undefined : withoutNul(value);
}

/** The value, or `400 bad_request` when it holds U+0000 (see holdsNul). */
function withoutNul(value: string): string {
  if (value.includes('\u0000')) throw new HttpRefusal(400, 'bad_request', NUL_REFUSAL);
  return value;
}

/** The `limit` of a listed page: 1-100, default 100. */
function pageLimit(url: URL): number {
  const limit = intParam(url, 'limit', 1) ?? 100;
  if (limit > 100) throw new HttpRefusal(400, 'bad_range', 'limit must be at most 100');
  return limit;
}

/** A path segment, decoded; a malformed escape is the caller's error. */
function segment(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpRefusal(400, 'bad_request', 'malformed path');
  }
  return withoutNul(decoded);
}

type ApiReply = { status: number; body: unknown };

async function publish(deps: ServerApiDeps, request: IncomingMessage, room: string): Promise<ApiReply> {
  const { config, engine, clock, ids } = deps;
  const body = validated(checkPublish, await readJson(request));
  // With files, a message needs no text (as on the WebSocket).
  const text = body.files && body.text === '' ? '' : checkText(body.text, config);
  const from = body.from
    ? { id: body.from.id, name: displayName(body.from.name, 'from.name', config) }
    : SYSTEM_USER;
  const cid = body.cid ?? `api-${ids.messageId()}`;
  const broadcast = checkBroadcast(body.broadcast, body.thread);
  const files = body.files
    ? await claimFiles(engine.files, config, { ids: body.files, owner: from.id, room, cid, at: clock.now() })
    : undefined;
  const { message, duplicate, root } = await engine.log.append({
    room,
    id: ids.messageId(),
    from,
    text,
    ts: clock.now(),
    cid,
    // The API's own budget per room: not the named sender's, and not one bucket for every room.
    budget: `api:${room}`,
    ...(body.thread !== undefined ? { thread: body.thread } : {}),
    ...(broadcast ? { broadcast: true as const } : {}),
    ...(files ? { files } : {}),
  });
  if (!duplicate) deps.events?.message(room, from, feedText(text, files));
  // A reply in a thread: its sender follows it, as on the WebSocket.
  if (root) await deps.rooms?.threadReplied(message, root);
  return { status: duplicate ? 200 : 201, body: { message, duplicate } };
}

/**
 * `POST /api/rooms/{room}/files?name=…&from=…`: the request's body is the file (its `Content-Type` the declared
 * type; `Content-Length` required), stored for `from` (default `system`), who then sends it with a message.
 */
async function uploadFile(
  deps: ServerApiDeps,
  request: IncomingMessage,
  url: URL,
  room: string,
): Promise<ApiReply> {
  const { config, uploads } = deps;
  if (!uploads || config.maxFileBytes === 0)
    throw new HttpRefusal(
      501,
      'unsupported',
      'this server takes no files (--store redis or --max-file-bytes 0)',
    );
  const name = textParam(url, 'name') ?? '';
  if (name.length === 0 || name.length > 255)
    throw new HttpRefusal(400, 'bad_request', 'name (the query parameter) must be 1-255 characters');
  const owner = textParam(url, 'from') ?? SYSTEM_USER.id;
  if (!isUserId(owner)) throw new HttpRefusal(400, 'bad_request', 'from is no user id');
  const length = request.headers['content-length'];
  if (length === undefined) throw new HttpRefusal(411, 'bad_request', 'send the file with a Content-Length');
  const size = /^\d{1,16}$/.test(length) ? Number(length) : Number.NaN;
  if (!Number.isSafeInteger(size) || size < 1) throw new HttpRefusal(400, 'bad_request', 'the file is empty');
  const mime = request.headers['content-type'];
  const file = await uploads.store(owner, { room, name, size, ...(mime ? { mime } : {}) }, request);
  return { status: 201, body: { room, file } };
}

/** A message's offset in a path: an integer of at least 1, else `400 bad_request`. */
function offsetOf(raw: string): number {
  const offset = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(offset) || offset < 1) {
    throw new HttpRefusal(400, 'bad_request', 'the offset must be an integer of at least 1');
  }
  return offset;
}

/**
 * Deletes a message as a room's moderator would (the API is a server admin): it becomes a tombstone everywhere, its
 * text gone from storage, the delete's entry delivered to the room's members on every instance. Answers the
 * message as it is now; `deleted` is false when it was deleted already (nothing changed).
 */
async function deleteMessage(deps: ServerApiDeps, room: string, rawOffset: string): Promise<ApiReply> {
  // A stored room's rules first (an archived room is read-only, for the API too); an open channel has none.
  const result = await actOnMessage(deps, API_CALLER, room, { type: 'delete', target: offsetOf(rawOffset) });
  return { status: 200, body: { room, message: result.target, deleted: result.entry !== undefined } };
}

/**
 * The same rules as the protocol's `history` command: malformed parameters are bad_request, a limit above the
 * page maximum is bad_range, and `before` with `after` reads the oldest messages between them; `thread` reads a
 * thread's replies.
 */
async function history(deps: ServerApiDeps, url: URL, room: string): Promise<ApiReply> {
  const { config, engine } = deps;
  const limit = intParam(url, 'limit', 1) ?? config.historyPageMax;
  if (limit > config.historyPageMax) {
    throw new HttpRefusal(400, 'bad_range', `limit must be at most ${config.historyPageMax}`);
  }
  const range = {
    before: intParam(url, 'before', 0),
    after: intParam(url, 'after', 0),
    limit,
    thread: intParam(url, 'thread', 0),
  };
  const page = await readHistory(engine, room, range, replyBudget(config));
  return { status: 200, body: { room, ...page } };
}

/**
 * A page of a room's messages holding the words of `q` and passing the filters (`from`, `has`, `since`, `until`),
 * newest first (the protocol's `search`, in one room the API may read as every room); `next` is the `before` of the
 * next page. The words and the filters are checked as the protocol's are (searchPage: `bad_request`).
 */
async function searchRoom(deps: ServerApiDeps, url: URL, room: string): Promise<ApiReply> {
  const request: SearchRequest = {
    query: textParam(url, 'q'),
    from: textParam(url, 'from'),
    // Any text here: searchPage refuses all but 'file' and 'link'.
    has: textParam(url, 'has') as SearchHas | undefined,
    since: intParam(url, 'since', 0),
    until: intParam(url, 'until', 0),
    before: textParam(url, 'before'),
    limit: intParam(url, 'limit', 1),
  };
  const page = await searchPage(searchOf(deps.engine), deps.config, [room], request);
  return { status: 200, body: { room, ...page } };
}

/**
 * Who is online in the whole cluster, with each connection (instance, since, address, rooms): a page ordered by
 * display name; `search` keeps names starting with it. A user's connections may continue on the next page.
 */
async function onlineUsers(deps: ServerApiDeps, url: URL): Promise<ApiReply> {
  let query: ReturnType<typeof connectionQueryOf>;
  try {
    query = connectionQueryOf(url.searchParams);
  } catch (error) {
    throw new HttpRefusal(400, 'bad_range', (error as Error).message);
  }
  const page = await listConnections(deps.queries, query);
  const users: Array<{
    user: { id: string; name: string };
    connections: Array<Omit<ConnectionRecord, 'user'>>;
  }> = [];
  for (const { user, ...connection } of page.connections) {
    const last = users.at(-1);
    if (last?.user.id === user.id) last.connections.push(connection);
    else users.push({ user, connections: [connection] });
  }
  const body = {
    users,
    total: page.total,
    missingNodes: page.missingNodes,
    ...(page.next ? { next: page.next } : {}),
  };
  return { status: 200, body };
}

async function disconnect(deps: ServerApiDeps, request: IncomingMessage, user: string): Promise<ApiReply> {
  const body = validated(checkDisconnect, await readJson(request));
  await deps.engine.broker.signal({
    kind: 'control',
    room: CONTROL_ROOM,
    action: 'disconnect_user',
    user,
    reason: body.reason ?? 'disconnected by the server',
  });
  return { status: 202, body: { user, accepted: true } };
}

function roomsOf(deps: ServerApiDeps): RoomService {
  if (!deps.rooms) throw new HttpRefusal(501, 'unsupported', 'this server keeps no rooms (--store redis)');
  return deps.rooms;
}

/**
 * A name the caller gives a user, under the rule of every display name (docs/security.md): 1 to `maxNameLength`
 * printable characters once trimmed. Refused rather than cleaned: a backend wants to hear that its name was wrong.
 */
function displayName(raw: string, field: string, config: Config): string {
  const name = checkedDisplayName(raw, config.maxNameLength);
  if (name === undefined)
    throw new HttpRefusal(400, 'bad_request', `'${field}' must be ${displayNameRule(config.maxNameLength)}`);
  return name;
}

/** A user the caller names (`{id, name?}`): without a name, the id stands for it (as a token's `sub` does). */
function userOf(ref: Static<typeof UserRef>, field: string, config: Config): { id: string; name: string } {
  return {
    id: ref.id,
    name: ref.name === undefined ? ref.id : displayName(ref.name, `${field}.name`, config),
  };
}

function userId(raw: string): string {
  const id = segment(raw);
  if (!isUserId(id)) {
    throw new HttpRefusal(400, 'bad_request', 'invalid user id');
  }
  return id;
}

/** The cursor of a page of a user's sent invitations: `afterRoom` and `afterUser` (the previous page's `next`), or none. */
function sentInvitationsCursor(url: URL): { room: string; user: string } | undefined {
  const room = textParam(url, 'afterRoom');
  const user = textParam(url, 'afterUser');
  if (room === undefined && user === undefined) return undefined;
  if (room === undefined || user === undefined) {
    throw new HttpRefusal(
      400,
      'bad_request',
      "'afterRoom' and 'afterUser' go together (the previous page's next)",
    );
  }
  return { room, user };
}

/** Group chat for backends: rooms, members, roles, bans, a user's rooms (docs/api.md, "Rooms"). */
async function roomRoute(
  deps: ServerApiDeps,
  request: IncomingMessage,
  url: URL,
  parts: string[],
): Promise<ApiReply | undefined> {
  const method = request.method ?? 'GET';
  if (parts[0] === 'users' && parts.length === 3 && parts[2] === 'rooms' && method === 'GET') {
    const id = userId(parts[1] as string);
    const list = await roomsOf(deps).roomList(
      { user: { id, name: id }, admin: false },
      undefined,
      deps.readMarkers,
    );
    return { status: 200, body: { user: id, ...list } };
  }
  if (parts[0] === 'users' && parts.length === 3 && parts[2] === 'sent-invitations' && method === 'GET') {
    const id = userId(parts[1] as string);
    const page = await roomsOf(deps).sentInvitations(
      { user: { id, name: id }, admin: false },
      sentInvitationsCursor(url),
      pageLimit(url),
    );
    return { status: 200, body: { user: id, ...page } };
  }
  if (parts[0] === 'users' && parts.length === 3 && parts[2] === 'status') {
    const id = userId(parts[1] as string);
    if (!deps.statuses)
      throw new HttpRefusal(501, 'unsupported', 'this server keeps no rooms (--store redis): no statuses');
    if (method === 'GET')
      return { status: 200, body: { user: id, status: (await deps.statuses.of([id]))[id] ?? {} } };
    if (method === 'PUT') {
      const status = await deps.statuses.set(id, validated(checkStatus, await readJson(request)));
      return { status: 200, body: { user: id, status } };
    }
  }
  if (parts[0] !== 'rooms') return undefined;
  if (parts.length === 1 && method === 'GET') {
    const limit = pageLimit(url);
    const after = textParam(url, 'after');
    return { status: 200, body: await roomsOf(deps).allRooms(after, limit) };
  }
  if (parts.length === 1 && method === 'POST') {
    const body = validated(checkCreateRoom, await readJson(request));
    const { owner, ...input } = body;
    const room = await roomsOf(deps).create(
      { user: userOf(owner, 'owner', deps.config), admin: false },
      input,
    );
    return { status: 201, body: { room } };
  }
  if (parts.length < 2) return undefined;
  const room = checkRoomName(segment(parts[1] as string), deps.config);
  const what = parts.slice(2);
  if (what.length === 0 && method === 'GET')
    return { status: 200, body: { room: await roomsOf(deps).get(room) } };
  if (what.length === 0 && method === 'PATCH') {
    const change = validated(checkUpdateRoom, await readJson(request));
    return { status: 200, body: { room: await roomsOf(deps).update(API_CALLER, room, change) } };
  }
  if (what[0] === 'members') {
    if (what.length === 1 && method === 'GET') {
      const limit = pageLimit(url);
      const after = textParam(url, 'after');
      return {
        status: 200,
        body: { room, ...(await roomsOf(deps).members(API_CALLER, room, after, limit)) },
      };
    }
    if (what.length === 1 && method === 'POST') {
      const body = validated(checkAddMember, await readJson(request));
      const user = userOf(body.user, 'user', deps.config);
      const added = await roomsOf(deps).add(API_CALLER, room, user, body.role);
      return { status: added ? 201 : 200, body: { room, user: user.id, added } };
    }
    if (what.length === 2 && method === 'DELETE') {
      const user = userId(what[1] as string);
      await roomsOf(deps).kick(API_CALLER, room, user, textParam(url, 'reason') ?? '');
      return { status: 200, body: { room, user, removed: true } };
    }
    if (what.length === 3 && what[2] === 'role' && method === 'PUT') {
      const user = userId(what[1] as string);
      const { role } = validated(checkRole, await readJson(request));
      await roomsOf(deps).setRole(API_CALLER, room, user, role);
      return { status: 200, body: { room, user, role } };
    }
  }
  if (what[0] === 'bans') {
    if (what.length === 1 && method === 'GET') {
      const page = await roomsOf(deps).bans(API_CALLER, room, textParam(url, 'after'), pageLimit(url));
      return { status: 200, body: { room, ...page } };
    }
    if (what.length === 1 && method === 'POST') {
      const body = validated(checkBan, await readJson(request));
      await roomsOf(deps).ban(API_CALLER, room, body.user, body.reason ?? '', body.until);
      return { status: 200, body: { room, user: body.user, banned: true } };
    }
    if (what.length === 2 && method === 'DELETE') {
      const user = userId(what[1] as string);
      await roomsOf(deps).unban(API_CALLER, room, user);
      return { status: 200, body: { room, user, banned: false } };
    }
  }
  if (what[0] === 'pins') {
    if (what.length === 1 && method === 'GET') {
      const skip = intParam(url, 'skip', 0) ?? 0;
      return {
        status: 200,
        body: { room, ...(await roomsOf(deps).pins(API_CALLER, room, skip, replyBudget(deps.config))) },
      };
    }
    if (what.length === 2 && (method === 'PUT' || method === 'DELETE')) {
      const offset = offsetOf(segment(what[1] as string));
      if (method === 'PUT') await roomsOf(deps).pin(API_CALLER, room, offset);
      else await roomsOf(deps).unpin(API_CALLER, room, offset);
      return { status: 200, body: { room, offset, pinned: method === 'PUT' } };
    }
  }
  if (what[0] === 'invite-links') {
    if (what.length === 1 && method === 'GET')
      return { status: 200, body: { room, links: await roomsOf(deps).inviteLinks(API_CALLER, room) } };
    if (what.length === 1 && method === 'POST') {
      const options = validated(checkInviteLink, await readJson(request));
      return {
        status: 201,
        body: { room, link: await roomsOf(deps).createInviteLink(API_CALLER, room, options) },
      };
    }
    if (what.length === 2 && method === 'DELETE') {
      const code = segment(what[1] as string);
      await roomsOf(deps).revokeInviteLink(API_CALLER, room, code);
      return { status: 200, body: { room, code, revoked: true } };
    }
  }
  if (what[0] === 'webhooks') {
    if (what.length === 1 && method === 'GET')
      return { status: 200, body: { room, webhooks: await roomsOf(deps).listWebhooks(API_CALLER, room) } };
    if (what.length === 1 && method === 'POST') {
      const { name } = validated(checkWebhook, await readJson(request));
      return { status: 201, body: { room, ...(await roomsOf(deps).createWebhook(API_CALLER, room, name)) } };
    }
    if (what.length === 2 && method === 'DELETE') {
      const id = segment(what[1] as string);
      await roomsOf(deps).deleteWebhook(API_CALLER, room, id);
      return { status: 200, body: { room, webhook: id, deleted: true } };
    }
  }
  if (what[0] === 'invitations') {
    if (what.length === 1 && method === 'GET') {
      const page = await roomsOf(deps).invitations(API_CALLER, room, textParam(url, 'after'), pageLimit(url));
      return { status: 200, body: { room, ...page } };
    }
    if (what.length === 2 && method === 'DELETE') {
      const user = userId(what[1] as string);
      await roomsOf(deps).uninvite(API_CALLER, room, user);
      return { status: 200, body: { room, user, invited: false } };
    }
  }
  return undefined;
}

/** Finds the endpoint of a server API path and runs it. */
async function route(deps: ServerApiDeps, request: IncomingMessage, url: URL): Promise<ApiReply> {
  const parts = url.pathname.split('/').slice(2); // ['rooms', room, what] or ['users', user, what]
  const method = request.method ?? 'GET';
  if (parts.length === 1 && parts[0] === 'users' && method === 'GET') return onlineUsers(deps, url);
  const rooms = await roomRoute(deps, request, url, parts);
  if (rooms) return rooms;
  if (parts.length === 4 && parts[0] === 'rooms' && parts[2] === 'messages' && method === 'DELETE') {
    const room = checkRoomName(segment(parts[1] as string), deps.config);
    return deleteMessage(deps, room, segment(parts[3] as string));
  }
  if (
    parts.length === 5 &&
    parts[0] === 'rooms' &&
    parts[2] === 'messages' &&
    parts[4] === 'edits' &&
    method === 'GET'
  ) {
    const room = checkRoomName(segment(parts[1] as string), deps.config);
    const offset = offsetOf(segment(parts[3] as string));
    const found = await readEdits(deps.engine.log, room, offset, editsLimits(deps.config));
    return { status: 200, body: { room, offset, ...found } };
  }
  if (parts.length === 3 && parts[0] === 'rooms') {
    const room = checkRoomName(segment(parts[1] as string), deps.config);
    if (parts[2] === 'messages' && method === 'POST') return publish(deps, request, room);
    if (parts[2] === 'files' && method === 'POST') return uploadFile(deps, request, url, room);
    if (parts[2] === 'history' && method === 'GET') return history(deps, url, room);
    if (parts[2] === 'search' && method === 'GET') return searchRoom(deps, url, room);
    if (parts[2] === 'presence' && method === 'GET') {
      return { status: 200, body: { room, users: await deps.engine.presence.users(room) } };
    }
  }
  if (parts.length === 3 && parts[0] === 'users' && parts[2] === 'disconnect' && method === 'POST') {
    const user = segment(parts[1] as string);
    if (user.length === 0 || user.length > 128) throw new HttpRefusal(400, 'bad_request', 'invalid user id');
    return disconnect(deps, request, user);
  }
  throw new HttpRefusal(404, 'not_found', `no ${method} ${url.pathname} in the server API`);
}

/**
 * The server API for backends: publish a system message, read a room's history and presence, disconnect a user
 * on every node. Authenticated with the API token (or the admin token); disabled when neither is configured.
 * Replies are JSON; errors carry a stable `error` code and a `message`. See docs/api.md.
 */
export function createServerApi(deps: ServerApiDeps): ServerApi {
  const { config, ids, logger } = deps;
  const tokens = [config.apiToken, config.adminToken].filter((t) => t !== '');
  const authenticate = (request: IncomingMessage, url: URL) => {
    if (tokens.length === 0) {
      throw new HttpRefusal(403, 'api_disabled', 'the server API is disabled: set --api-token to enable it');
    }
    const given = presentedToken(request, url);
    if (!tokens.some((token) => sameSecret(given, token))) {
      throw new HttpRefusal(401, 'unauthorized', 'a valid API token is required (Authorization: Bearer …)');
    }
  };
  return async (request, response, url) => {
    if (!SERVER_API_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) return false;
    const requestId = ids.sessionId();
    const log = logger.child({ req: requestId });
    const at = { method: request.method, path: url.pathname };
    try {
      authenticate(request, url);
      const { status, body } = await route(deps, request, url);
      log.info({ ...at, status }, 'api request');
      sendJson(response, status, body, { 'x-request-id': requestId });
    } catch (error) {
      const refusal = httpRefusalOf(error);
      if (refusal.status >= 500) log.error({ err: error, ...at }, 'api request failed');
      else log.info({ ...at, status: refusal.status }, 'api request refused');
      const headers: Record<string, string> = { 'x-request-id': requestId };
      if (refusal.status === 401) headers['www-authenticate'] = 'Bearer realm="parley-api"';
      sendRefusal(response, refusal, headers);
    }
    return true;
  };
}
