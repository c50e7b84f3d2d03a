/** Group chat's commands: the room list, rooms, membership and moderation (see docs/protocol.md, "Rooms"). */

import { userChannel } from '../../engine/types.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { CommandOf } from '../../protocol/messages.js';
import { checkRoomName } from '../../protocol/rules.js';
import type { Caller, RoomService } from '../../rooms/room-service.js';
import { callerOf, type Handler, type HandlerContext, roomsOf } from './context.js';
import { takePerMinute } from './per-minute.js';
import { replyBudget } from './reply-budget.js';

/** Largest page of `public_rooms` and `members` (and the default). */
const PAGE_MAX = 100;

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return PAGE_MAX;
  if (limit > PAGE_MAX) throw new ReplyError('bad_range', `limit must be at most ${PAGE_MAX}`);
  return limit;
}

const room = (ctx: HandlerContext, name: string) => checkRoomName(name, ctx.config);

/**
 * `rooms`: the user's room list. From then on this connection follows its rooms (activity of rooms it has not
 * joined) and the user's own channel (added to a room, invited), until it closes. Within the connection's rate of
 * room lists (`--room-lists-per-min`): the whole list, a statement over up to a thousand rooms, costs the database
 * ~10-20 ms, and a client needs it once per connection (the changes then come live).
 */
export const rooms: Handler<'rooms'> = async (ctx, session, command) => {
  const service = roomsOf(ctx);
  takePerMinute(ctx, session, 'roomListRate', ctx.config.roomListsPerMin, 'room lists');
  session.listed ??= new Set();
  await ctx.membership.follow(session, userChannel(session.user.id));
  // The rooms are followed before their newest messages are read: no activity falls between the two.
  const list = await service.roomList(
    callerOf(session),
    (ids) => Promise.all(ids.map((id) => ctx.membership.follow(session, id))).then(() => {}),
    ctx.readMarkers,
  );
  session.reply({ type: 'rooms', ref: command.ref, ...list });
};

export const create_room: Handler<'create_room'> = async (ctx, session, command) => {
  const input: { name: string; kind?: 'public' | 'private'; topic?: string; id?: string } = {
    name: command.name,
  };
  if (command.kind) input.kind = command.kind;
  if (command.topic !== undefined) input.topic = command.topic;
  if (command.id !== undefined) input.id = command.id;
  const made = await roomsOf(ctx).create(callerOf(session), input);
  session.reply({ type: 'room', ref: command.ref, room: made });
};

export const update_room: Handler<'update_room'> = async (ctx, session, command) => {
  const { type: _t, ref, room: name, ...change } = command;
  const updated = await roomsOf(ctx).update(callerOf(session), room(ctx, name), change);
  session.reply({ type: 'room', ref, room: updated });
};

export const public_rooms: Handler<'public_rooms'> = async (ctx, session, command) => {
  const page = await roomsOf(ctx).publicRooms(command.after, pageLimit(command.limit));
  session.reply({ type: 'public_rooms', ref: command.ref, ...page });
};

export const members: Handler<'members'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const page = await roomsOf(ctx).members(callerOf(session), id, command.after, pageLimit(command.limit));
  session.reply({ type: 'members', ref: command.ref, room: id, ...page });
};

export const bans: Handler<'bans'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const page = await roomsOf(ctx).bans(callerOf(session), id, command.after, pageLimit(command.limit));
  session.reply({ type: 'bans', ref: command.ref, room: id, ...page });
};

export const invitations: Handler<'invitations'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const page = await roomsOf(ctx).invitations(callerOf(session), id, command.after, pageLimit(command.limit));
  session.reply({ type: 'invitations', ref: command.ref, room: id, ...page });
};

export const sent_invitations: Handler<'sent_invitations'> = async (ctx, session, command) => {
  const page = await roomsOf(ctx).sentInvitations(callerOf(session), command.after, pageLimit(command.limit));
  session.reply({ type: 'sent_invitations', ref: command.ref, ...page });
};

/** The commands that act on a room and answer `done`. */
type DoneCommand =
  | 'notifications'
  | 'favorite'
  | 'hide'
  | 'pin'
  | 'delete_webhook'
  | 'revoke_invite_link'
  | 'unpin'
  | 'save'
  | 'unsave'
  | 'remind'
  | 'invite'
  | 'uninvite'
  | 'decline'
  | 'leave_room'
  | 'kick'
  | 'ban'
  | 'unban'
  | 'mute'
  | 'unmute'
  | 'set_role';

/** A handler that runs one room operation and answers `done`. */
function done<T extends DoneCommand>(
  work: (service: RoomService, caller: Caller, room: string, command: CommandOf<T>) => Promise<void>,
): Handler<T> {
  return async (ctx, session, command) => {
    const id = room(ctx, command.room);
    await work(roomsOf(ctx), callerOf(session), id, command);
    session.reply({ type: 'done', ref: command.ref, room: id });
  };
}

/** `favorite`: a room one of the user's favorites or no longer, told to every device (`favorite`). */
export const favorite = done<'favorite'>((rooms, caller, id, c) => rooms.setFavorite(caller, id, c.favorite));

/** `hide`: a room kept out of the user's room list until a newer message, or shown again (`hide`, every device). */
export const hide = done<'hide'>((rooms, caller, id, c) => rooms.hide(caller, id, c.hidden));

/** `notifications`: what the user wants to be notified of in the room, told to every device (`notifications`). */
export const notifications = done<'notifications'>((rooms, caller, id, c) =>
  rooms.setNotifications(caller, id, c.level),
);
/** `pin`, `unpin`: a message pinned for everyone in the room, or no longer (a `pinned`/`unpinned` event). */
export const pin = done<'pin'>((rooms, caller, id, c) => rooms.pin(caller, id, c.offset));
export const unpin = done<'unpin'>((rooms, caller, id, c) => rooms.unpin(caller, id, c.offset));

/** `save`, `unsave`: a message kept in the user's own list, or no longer. */
export const save = done<'save'>((rooms, caller, id, c) => rooms.save(caller, id, c.offset));
export const unsave = done<'unsave'>((rooms, caller, id, c) => rooms.unsave(caller, id, c.offset));
/** `remind`: when to remind the user of a message (saved first), or no longer; its time comes as `reminder`. */
export const remind = done<'remind'>((rooms, caller, id, c) => rooms.remind(caller, id, c.offset, c.at));

/** What one message read for `pins` or `saved` is charged to the reply budget, beyond the reply: a store read. */
const MESSAGE_READ_BYTES = 4096;

/**
 * `saved`: the user's saved messages, as many as one reply holds; `next` goes on. Each message is a store read,
 * charged to the user's reply budget like a pin's.
 */
export const saved: Handler<'saved'> = async (ctx, session, command) => {
  const page = await roomsOf(ctx).saved(
    callerOf(session),
    command.skip ?? 0,
    replyBudget(ctx.config),
    (read) => session.chargeRead(read * MESSAGE_READ_BYTES),
  );
  session.reply({ type: 'saved', ref: command.ref, ...page });
};

/** `follow_thread`: follows a thread by hand, or stops following it; every device hears of it (`thread_state`). */
export const follow_thread: Handler<'follow_thread'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  if (command.follow) await roomsOf(ctx).followThread(callerOf(session), id, command.thread);
  else await roomsOf(ctx).unfollowThread(callerOf(session), id, command.thread);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

/**
 * `read_thread`: moves the user's read marker of a thread they follow forward, not past the room's newest message;
 * answered only when it carries a `ref` (as `read`). A thread not followed keeps no marker: nothing changes.
 */
export const read_thread: Handler<'read_thread'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const { offset } = await ctx.engine.log.position(id);
  await roomsOf(ctx).readThread(callerOf(session), id, command.thread, Math.min(command.offset, offset));
  if (command.ref !== undefined) session.reply({ type: 'done', ref: command.ref, room: id });
};

/**
 * `threads`: the threads the user follows, as many as one reply holds; `next` goes on. Each root is a store read,
 * charged to the user's reply budget like a saved message's.
 */
export const threads: Handler<'threads'> = async (ctx, session, command) => {
  const page = await roomsOf(ctx).threads(
    callerOf(session),
    command.skip ?? 0,
    replyBudget(ctx.config),
    (read) => session.chargeRead(read * MESSAGE_READ_BYTES),
  );
  session.reply({ type: 'threads', ref: command.ref, ...page });
};

/** `thread_counts`: the counts of the threads the user follows, no root read; as many as one reply holds. */
export const thread_counts: Handler<'thread_counts'> = async (ctx, session, command) => {
  const page = await roomsOf(ctx).threadCounts(callerOf(session), command.skip ?? 0, replyBudget(ctx.config));
  session.reply({ type: 'thread_counts', ref: command.ref, ...page });
};

/**
 * `pins`: a room's pinned messages, as many as one reply holds (`--reply-max-bytes`); `next` goes on. Each message is
 * a read of the store, so each is charged to the user's reply budget (up to `--max-pins-per-room` reads a command,
 * whatever the reply's size).
 */
export const pins: Handler<'pins'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const page = await roomsOf(ctx).pins(
    callerOf(session),
    id,
    command.skip ?? 0,
    replyBudget(ctx.config),
    (read) => session.chargeRead(read * MESSAGE_READ_BYTES),
  );
  session.reply({ type: 'pins', ref: command.ref, room: id, ...page });
};

/** `create_invite_link`: a link whose code lets whoever has it join the room. */
export const create_invite_link: Handler<'create_invite_link'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const link = await roomsOf(ctx).createInviteLink(callerOf(session), id, {
    ...(command.expiresInMs !== undefined ? { expiresInMs: command.expiresInMs } : {}),
    ...(command.maxUses !== undefined ? { maxUses: command.maxUses } : {}),
  });
  session.reply({ type: 'invite_link', ref: command.ref, room: id, link });
};

/** `invite_links`: a room's invite links, for those who may invite to it. */
export const invite_links: Handler<'invite_links'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const links = await roomsOf(ctx).inviteLinks(callerOf(session), id);
  session.reply({ type: 'invite_links', ref: command.ref, room: id, links });
};

export const revoke_invite_link = done<'revoke_invite_link'>((rooms, caller, id, c) =>
  rooms.revokeInviteLink(caller, id, c.code),
);

/** `join_link`: the caller becomes a member of the link's room, answered with the room (as `accept` is). */
export const join_link: Handler<'join_link'> = async (ctx, session, command) => {
  const summary = await roomsOf(ctx).joinByLink(callerOf(session), command.code);
  session.reply({ type: 'room', ref: command.ref, room: summary });
};

/** `invite_preview`: what an invite link lets into, before joining with it (nothing changes). */
export const invite_preview: Handler<'invite_preview'> = async (ctx, session, command) => {
  const preview = await roomsOf(ctx).previewLink(callerOf(session), command.code);
  session.reply({ type: 'invite_preview', ref: command.ref, ...preview });
};

/** `webhooks`: a room's incoming webhooks, for its moderators. */
export const webhooks: Handler<'webhooks'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const list = await roomsOf(ctx).listWebhooks(callerOf(session), id);
  session.reply({ type: 'webhooks', ref: command.ref, room: id, webhooks: list });
};

/** `create_webhook`: a webhook added, with its address (shown this once). */
export const create_webhook: Handler<'create_webhook'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  const made = await roomsOf(ctx).createWebhook(callerOf(session), id, command.name);
  session.reply({ type: 'webhook', ref: command.ref, room: id, ...made });
};

export const delete_webhook = done<'delete_webhook'>((rooms, caller, id, c) =>
  rooms.deleteWebhook(caller, id, c.webhook),
);

export const invite = done<'invite'>((rooms, caller, id, c) => rooms.invite(caller, id, c.user));
/** `uninvite`: the invitation leaves the invited user's room list on every device (`invitation_removed`). */
export const uninvite = done<'uninvite'>((rooms, caller, id, c) => rooms.uninvite(caller, id, c.user));
export const decline = done<'decline'>((rooms, caller, id) => rooms.decline(caller, id));
/** `leave_room`: the membership ends; every connection of the user leaves the room (`room_removed`). */
export const leave_room = done<'leave_room'>((rooms, caller, id) => rooms.leave(caller, id));
export const kick = done<'kick'>((rooms, caller, id, c) => rooms.kick(caller, id, c.user, c.reason));
export const ban = done<'ban'>((rooms, caller, id, c) => rooms.ban(caller, id, c.user, c.reason, c.until));
export const unban = done<'unban'>((rooms, caller, id, c) => rooms.unban(caller, id, c.user));
export const mute = done<'mute'>((rooms, caller, id, c) => rooms.mute(caller, id, c.user, c.until));
export const unmute = done<'unmute'>((rooms, caller, id, c) => rooms.unmute(caller, id, c.user));
export const set_role = done<'set_role'>((rooms, caller, id, c) => rooms.setRole(caller, id, c.user, c.role));

export const accept: Handler<'accept'> = async (ctx, session, command) => {
  const joined = await roomsOf(ctx).accept(callerOf(session), room(ctx, command.room));
  session.reply({ type: 'room', ref: command.ref, room: joined });
};

export const direct: Handler<'direct'> = async (ctx, session, command) => {
  const made = await roomsOf(ctx).direct(callerOf(session), command.users);
  session.reply({ type: 'room', ref: command.ref, room: made });
};
