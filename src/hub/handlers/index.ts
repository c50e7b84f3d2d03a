import type { CommandType } from '../../protocol/messages.js';
import type { Handler } from './context.js';
import { cancel_upload, upload } from './files.js';
import { history } from './history.js';
import { join } from './join.js';
import { leave } from './leave.js';
import { deleteMessage, edit, react, unreact } from './messages.js';
import { ping } from './ping.js';
import { presence } from './presence.js';
import { read, unread } from './read.js';
import { refresh } from './refresh.js';
import {
  accept,
  ban,
  bans,
  create_invite_link,
  create_room,
  create_webhook,
  decline,
  delete_webhook,
  direct,
  invitations,
  invite,
  invite_links,
  invite_preview,
  join_link,
  kick,
  leave_room,
  members,
  mute,
  notifications,
  pin,
  pins,
  public_rooms,
  revoke_invite_link,
  rooms,
  save,
  saved,
  sent_invitations,
  set_role,
  unban,
  uninvite,
  unmute,
  unpin,
  unsave,
  update_room,
  webhooks,
} from './rooms.js';
import { search } from './search.js';
import { send } from './send.js';
import { settings } from './settings.js';
import { set_status, statuses } from './status.js';
import { typing } from './typing.js';

/** Every command's handler, by command type. */
export const handlers: { [T in CommandType]: Handler<T> } = {
  join,
  leave,
  send,
  read,
  unread,
  settings,
  edit,
  delete: deleteMessage,
  react,
  unreact,
  history,
  presence,
  typing,
  ping,
  refresh,
  rooms,
  create_room,
  update_room,
  public_rooms,
  members,
  bans,
  invitations,
  sent_invitations,
  notifications,
  pin,
  unpin,
  pins,
  webhooks,
  create_webhook,
  delete_webhook,
  create_invite_link,
  invite_links,
  revoke_invite_link,
  join_link,
  invite_preview,
  upload,
  cancel_upload,
  set_status,
  statuses,
  save,
  unsave,
  saved,
  search,
  invite,
  uninvite,
  accept,
  decline,
  leave_room,
  kick,
  ban,
  unban,
  mute,
  unmute,
  set_role,
  direct,
};
