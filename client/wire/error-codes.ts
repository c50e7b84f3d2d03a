/**
 * Reply error codes: the one table of errors a command (or a server API request) can answer with. Part of the wire
 * vocabulary (`client/wire/`), which the server, the server API, the SDK and the web UI all import.
 *
 * A reply error never closes the connection. `temporary: true` means the same command may succeed if retried
 * later unchanged (the server or its engine was momentarily unable); `false` means the command itself is wrong.
 * `http` is the status the server API answers the same refusal with.
 * Codes are stable API: add new ones, never rename or reuse.
 */
export const ErrorCodes = {
  /** The frame is not valid JSON, or not a JSON object. */
  bad_json: { temporary: false, http: 400, message: 'frame is not a JSON object' },
  /** The frame is JSON but does not match the command's schema (missing or mistyped field, unexpected field). */
  bad_request: { temporary: false, http: 400, message: 'command does not match the protocol' },
  /** The `type` field names no command of this protocol version. */
  unknown_command: { temporary: false, http: 400, message: 'unknown command type' },
  /** A binary frame with no upload in progress: binary frames carry only the bytes of an `upload`. */
  binary_unsupported: {
    temporary: false,
    http: 400,
    message: 'binary frames carry only the bytes of an upload in progress; send JSON text frames',
  },
  /** The room name is empty, too long or uses characters outside the allowed set. */
  invalid_room: { temporary: false, http: 400, message: 'invalid room name' },
  /** The command needs the room to be joined first. */
  not_joined: { temporary: false, http: 409, message: 'room not joined' },
  /** The connection already holds the maximum number of rooms. */
  too_many_rooms: { temporary: false, http: 400, message: 'too many rooms joined on this connection' },
  /** The message text is empty or only white space. */
  text_empty: { temporary: false, http: 400, message: 'message text is empty' },
  /** The message text is longer than the configured maximum. */
  text_too_long: { temporary: false, http: 400, message: 'message text is too long' },
  /** A history query is out of range (e.g. `limit` above the maximum page size). */
  bad_range: { temporary: false, http: 400, message: 'history range is out of bounds' },
  /** The user may not do this (e.g. join a room outside the token's allowed rooms). */
  forbidden: { temporary: false, http: 403, message: 'not allowed' },
  /** No room with this id exists (group chat commands on a room never created). */
  no_room: { temporary: false, http: 404, message: 'no such room' },
  /** A room with this id exists already (create_room with an id that is taken). */
  room_exists: { temporary: false, http: 409, message: 'a room with this id exists' },
  /** The user (or the target of the command) is not a member of the room. */
  not_member: { temporary: false, http: 403, message: 'not a member of this room' },
  /** A private room: joining needs an invitation. */
  not_invited: { temporary: false, http: 403, message: 'this room is by invitation only' },
  /** The user is a member already (join of a room they belong to through accept, invite of a member). */
  already_member: { temporary: false, http: 409, message: 'already a member of this room' },
  /** The user is banned from the room: they may neither join nor read it. */
  banned: { temporary: false, http: 403, message: 'banned from this room' },
  /** The user is muted in the room: they may read, not send. */
  muted: { temporary: false, http: 403, message: 'muted in this room' },
  /** The room is archived: read-only until unarchived. */
  archived: { temporary: false, http: 409, message: 'this room is archived' },
  /** A direct room has fixed people: nobody joins, invites, moderates or renames it. */
  direct_room: { temporary: false, http: 409, message: 'not possible in a direct room' },
  /** The user belongs to the most rooms allowed (`--max-rooms-per-user`). */
  room_limit: { temporary: false, http: 409, message: 'member of too many rooms' },
  /** The invited user has the most pending invitations allowed (`--max-invitations-per-user`). */
  invitation_limit: { temporary: false, http: 409, message: 'too many pending invitations' },
  /** The message an action names does not exist, is gone (retention), is deleted, or is no chat message. */
  no_message: { temporary: false, http: 404, message: 'no such message' },
  /** Only the author may edit a message; only the author or a room moderator may delete it. */
  not_author: { temporary: false, http: 403, message: 'not the author of this message' },
  /** The message has the most distinct reaction emoji allowed (`--max-reactions-per-message`). */
  reaction_limit: { temporary: false, http: 409, message: 'too many different reactions on this message' },
  /** The user keeps `maxSavedPerUser` saved messages: unsave one first. */
  saved_limit: { temporary: false, http: 409, message: 'too many saved messages' },
  /** The user keeps `maxScheduledPerUser` scheduled messages (pending or failed): remove one first. */
  scheduled_limit: { temporary: false, http: 409, message: 'too many scheduled messages' },
  /** The user keeps `maxDraftsPerUser` drafts: the message box of another room must be sent or emptied first. */
  draft_limit: { temporary: false, http: 409, message: 'too many drafts' },
  /** The user has no scheduled message with this id (sent, removed, or never theirs). */
  no_scheduled: { temporary: false, http: 404, message: 'no such scheduled message' },
  /** The room has `maxPinsPerRoom` pinned messages: unpin one first. */
  pin_limit: { temporary: false, http: 409, message: 'too many pinned messages in this room' },
  /** The room has `maxInviteLinksPerRoom` invite links in force: revoke one first. */
  invite_link_limit: { temporary: false, http: 409, message: 'too many invite links in this room' },
  /** No invite link has this code, or it was revoked, has expired or was used its most times. */
  no_invite_link: { temporary: false, http: 404, message: 'no such invite link' },
  /** The room has `maxWebhooksPerRoom` webhooks: remove one first. */
  webhook_limit: { temporary: false, http: 409, message: 'too many webhooks in this room' },
  /** No webhook of this room has this id (or, posting to a hook's address, its secret is not this one). */
  no_webhook: { temporary: false, http: 404, message: 'no such webhook' },
  /** A file above `maxFileBytes`, or more bytes than its `upload` announced. */
  file_too_large: { temporary: false, http: 413, message: 'file is too large' },
  /** The user's files would take more than `--max-file-bytes-per-user`: delete messages with files first. */
  file_quota: { temporary: false, http: 409, message: 'too many bytes of files stored for this user' },
  /**
   * A file `send` names is not one this user uploaded for this room and has not sent yet (or is not complete, or
   * was dropped after `--upload-ttl-ms`).
   */
  no_file: { temporary: false, http: 404, message: 'no such file to send' },
  /** An upload is in progress on this connection: finish or cancel it first. */
  upload_busy: { temporary: false, http: 409, message: 'an upload is in progress on this connection' },
  /** No bytes came for `--upload-idle-ms`: the upload was dropped. */
  upload_expired: { temporary: false, http: 408, message: 'the upload stalled and was dropped' },
  /** This server keeps no rooms (`--store redis`): rooms are open channels joined by name. */
  unsupported: { temporary: false, http: 501, message: 'not supported by this server' },
  /** Too many commands in a short time; slow down and retry. */
  rate_limited: { temporary: true, http: 429, message: 'rate limit exceeded' },
  /** The engine (e.g. Redis) is unreachable; nothing was stored or published. Retry. */
  unavailable: { temporary: true, http: 503, message: 'service temporarily unavailable; nothing was stored' },
  /** An unexpected server fault. Retry. */
  internal: { temporary: true, http: 500, message: 'internal server error' },
} as const satisfies Record<string, { temporary: boolean; http: number; message: string }>;

/** A stable reply error code. */
export type ErrorCode = keyof typeof ErrorCodes;
