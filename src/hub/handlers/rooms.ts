/** Group chat's commands: the room list, rooms, membership and moderation (see docs/protocol.md, "Rooms"). */

import { userChannel } from '../../engine/types.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { checkRoomName } from '../../protocol/rules.js';
import { callerOf, type Handler, type HandlerContext, roomsOf } from './context.js';

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
 * joined) and the user's own channel (added to a room, invited), until it closes.
 */
export const rooms: Handler<'rooms'> = async (ctx, session, command) => {
  const service = roomsOf(ctx);
  session.listed ??= new Set();
  await ctx.membership.follow(session, userChannel(session.user.id));
  // The rooms are followed before their newest messages are read: no activity falls between the two.
  const list = await service.roomList(callerOf(session), (ids) =>
    Promise.all(ids.map((id) => ctx.membership.follow(session, id))).then(() => {}),
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

export const invite: Handler<'invite'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).invite(callerOf(session), id, command.user);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const accept: Handler<'accept'> = async (ctx, session, command) => {
  const joined = await roomsOf(ctx).accept(callerOf(session), room(ctx, command.room));
  session.reply({ type: 'room', ref: command.ref, room: joined });
};

export const decline: Handler<'decline'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).decline(callerOf(session), id);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

/** `leave_room`: the membership ends; every connection of the user leaves the room (`room_removed`). */
export const leave_room: Handler<'leave_room'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).leave(callerOf(session), id);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const kick: Handler<'kick'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).kick(callerOf(session), id, command.user, command.reason);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const ban: Handler<'ban'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).ban(callerOf(session), id, command.user, command.reason, command.until);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const unban: Handler<'unban'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).unban(callerOf(session), id, command.user);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const mute: Handler<'mute'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).mute(callerOf(session), id, command.user, command.until);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const unmute: Handler<'unmute'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).unmute(callerOf(session), id, command.user);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const set_role: Handler<'set_role'> = async (ctx, session, command) => {
  const id = room(ctx, command.room);
  await roomsOf(ctx).setRole(callerOf(session), id, command.user, command.role);
  session.reply({ type: 'done', ref: command.ref, room: id });
};

export const direct: Handler<'direct'> = async (ctx, session, command) => {
  const made = await roomsOf(ctx).direct(callerOf(session), command.users);
  session.reply({ type: 'room', ref: command.ref, room: made });
};
