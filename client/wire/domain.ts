/**
 * The wire vocabulary: what a message, a user and a position are, as every part of Parley sees them (server, server
 * API, SDK, web UI). This folder has no dependency, so the SDK builds and works without the server's code.
 */

/** The protocol version of these definitions. Clients pass `?v=1` on the WebSocket URL. */
export const PROTOCOL_VERSION = 1;

/** Who a connection belongs to. The id is stable across connections; the name is for display. */
export interface UserInfo {
  id: string;
  name: string;
}

/**
 * A position in a room's message stream. `offset` increases by one for every message published to the room;
 * `epoch` identifies the stream's lifetime: when history is lost (e.g. Redis restarted empty) the epoch changes
 * and offsets restart, so a position from another epoch can never be mistaken for one in this stream.
 */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** A chat message as published, stored in history and delivered. */
export interface ChatMessage {
  /** The room the message belongs to. */
  room: string;
  /** Server-assigned unique message id. */
  id: string;
  /** Position of the message in the room's stream (1 for the first message of an epoch). */
  offset: number;
  /** Epoch of the room's stream when the message was published. */
  epoch: string;
  /** The sender, as identified by the server (never taken from the client's command). */
  from: UserInfo;
  /** The message text. */
  text: string;
  /** Server timestamp, milliseconds since the Unix epoch. */
  ts: number;
  /** The client message id the sender chose (used for idempotent retries); `sys:…` for a system event. */
  cid: string;
  /**
   * Present on a system event: a change of the room or its members, kept in the room's log like a message (so a
   * resume replays it). `from` is who made the change, `text` a readable notice for clients that do not know the
   * event's type.
   */
  event?: SystemEvent;
  /**
   * Present on an action on an earlier message of the room (an edit, a delete, a reaction), kept in the room's log
   * at its own offset so that a resume replays it like a message. Clients apply it to the message at
   * `action.target` and do not show it as a message. `from` is who acted; on an edit, `text` is the new text
   * (blanked when the message is deleted later); otherwise `text` is empty.
   */
  action?: MessageAction;
  /** The ids of the users the text mentions (`@Name` in the text; the sender's client names them). */
  mentions?: string[];
  /**
   * The message mentions everyone in the room (`@room` in the text): counted as a mention by every member but its
   * sender, as if each were in `mentions`.
   */
  mentionsRoom?: true;
  /** The offset of the message this one replies to, in the same room and epoch. */
  replyTo?: number;
  /**
   * Present on a reply in a thread: the offset of the thread's root, a chat message of the same room and epoch. A
   * thread reply is kept in the room's log like any message (a resume replays it) but belongs to its thread, not to
   * the room's timeline: clients show it under its root, it is not counted as unread in the room (a mention in it
   * is) and it is no preview of the room. Clients apply it to the root with {@link applyThreadReply}.
   */
  thread?: number;
  /**
   * On a thread's reply that was also sent to the room (`send` with `broadcast`): it belongs to the room's timeline
   * too, as a message of the room (counted unread, the room's preview), and to its thread.
   */
  broadcast?: true;
  /** On a thread's root: its replies so far (absent: none). Changed by each reply, like an action (see `rev`). */
  replies?: ThreadSummary;
  /**
   * The files sent with the message (uploaded with `upload` first), in the order the sender gave them; absent:
   * none. A file is read at `/files/{id}/{name}` of the server (see {@link fileUrl}); it goes when the message is
   * deleted (the tombstone has none).
   */
  files?: FileRef[];
  /**
   * On a forwarded message (`send` with `forward`): the message it passes on, as it was when forwarded, from another
   * room or the same one. `text` is then the forwarder's own words about it (possibly empty). Gone with a delete (the
   * tombstone has none).
   */
  forwarded?: ForwardedMessage;
  /** When the text was last edited (ms since the Unix epoch); absent: never edited. */
  edited?: number;
  /** True when the message was deleted: its text is gone (empty) everywhere, what remains is a tombstone. */
  deleted?: true;
  /** Reactions, one entry per emoji, in the order each emoji was first used; absent: none. */
  reactions?: Reaction[];
  /**
   * The offset of the newest action applied to this message (absent: none). A message read from history is as it
   * is now: an action entry at or below `rev` is already in it, and applying it again would count a reaction twice.
   */
  rev?: number;
}

/**
 * A message passed on to another room (see {@link ChatMessage.forwarded}): a copy of what it said when it was
 * forwarded, so that the room it went to can read it without access to the room it came from. Not changed by a
 * later edit or delete of the original; its files are served while the original keeps them.
 */
export interface ForwardedMessage {
  /** The room it was sent in, and its place there (a link for whoever may read that room). */
  room: string;
  offset: number;
  /** Its id (another message at that offset, after a reset, is not this one). */
  id: string;
  /** Who sent it. */
  from: UserInfo;
  /** Its text when it was forwarded (edits applied). */
  text: string;
  /** When it was sent (ms since the Unix epoch). */
  ts: number;
  /** Its files, absent when none. */
  files?: FileRef[];
}

/** What a page says of itself, for a link to it in a message (`link_preview`). */
export interface LinkPreview {
  /** The page's address after redirects (what the preview shows). */
  url: string;
  /** `og:site_name`, else the page's host name. */
  site: string;
  /** `og:title`, else `twitter:title`, else `<title>` (at most 200 characters). */
  title?: string;
  /** `og:description`, else `twitter:description`, else `<meta name="description">` (at most 300 characters). */
  description?: string;
  /**
   * `og:image`, fetched by the server: a PNG, JPEG, GIF or WebP of at most `linkPreviewImageMaxBytes`, as a `data:`
   * URL to show as it is (the reader's browser never asks the page's site), with its size when its header says it.
   */
  image?: { data: string; width?: number; height?: number };
}

/**
 * What a user says of themselves, for everyone who shares a room with them: away or not to be disturbed, and a line
 * of their own. Every field is optional; none at all is no status (available, nothing said).
 */
export interface UserStatus {
  /** `away`, or `dnd` (do not disturb: their clients hold notifications back); absent: available. */
  availability?: 'away' | 'dnd';
  /** A line of their own ("In a meeting"), at most 100 characters. */
  text?: string;
  /** An emoji beside the line. */
  emoji?: string;
  /** When the status ends by itself (ms since the Unix epoch); absent: until changed. */
  until?: number;
}

/** A file sent with a message (see {@link ChatMessage.files}). */
export interface FileRef {
  /** The file's id: unguessable, it is also what lets anyone who has it read the file. */
  id: string;
  /** Its name as the sender gave it (path separators and control characters replaced). */
  name: string;
  /** Its size in bytes. */
  size: number;
  /**
   * Its media type: `image/png`, `image/jpeg`, `image/gif` or `image/webp` when its bytes are such an image (which
   * the server then serves to be shown), else the type the sender declared (served as a download).
   */
  type: string;
  /** An image's width and height in pixels, when its header tells them. */
  width?: number;
  height?: number;
}

/**
 * How a client shows a file: the types the server recognised by their bytes and serves inline are shown (`image`)
 * or played (`video`, `audio`); anything else is a download.
 */
export function fileShownAs(file: Pick<FileRef, 'type'>): 'image' | 'video' | 'audio' | 'download' {
  if (/^image\/(png|jpeg|gif|webp)$/.test(file.type)) return 'image';
  if (/^video\/(mp4|webm)$/.test(file.type)) return 'video';
  if (/^audio\/(mp4|mpeg|ogg|wav)$/.test(file.type)) return 'audio';
  return 'download';
}

/** The start of the user ids of incoming webhooks' messages: `webhook:{id}` (docs/protocol.md, "Incoming webhooks"). */
export const WEBHOOK_SENDER_PREFIX = 'webhook:';

/** Whether a message's sender is an incoming webhook (an integration), not a person. */
export function isWebhookSender(userId: string): boolean {
  return userId.startsWith(WEBHOOK_SENDER_PREFIX);
}

/** Where a file is read, relative to the server's HTTP root (prefix the server's address). */
export function fileUrl(file: Pick<FileRef, 'id' | 'name'>): string {
  return `/files/${file.id}/${encodeURIComponent(file.name)}`;
}

/** The reactions with one emoji on a message. */
export interface Reaction {
  emoji: string;
  /** How many users reacted with this emoji. */
  count: number;
  /** Who, in the order they reacted: the first {@link REACTION_USERS_SHOWN} of them. */
  users: string[];
}

/** The most users a {@link Reaction} names (its `count` counts them all). */
export const REACTION_USERS_SHOWN = 50;

/** One text a message had: its first, or one an edit gave it (`edits`). */
export interface MessageVersion {
  text: string;
  /** When it was sent or edited to this text (ms since the Unix epoch). */
  ts: number;
}

/** A thread's replies as its root carries them (see {@link ChatMessage.replies}). */
export interface ThreadSummary {
  /** How many replies the thread has (a deleted reply still counts: its tombstone stays in the thread). */
  count: number;
  /** When the newest reply was sent (ms since the Unix epoch). */
  last: number;
  /** The ids of those who replied, in the order of their first reply: the first {@link THREAD_USERS_SHOWN}. */
  users: string[];
}

/** Most repliers a thread's root names (see {@link ThreadSummary.users}). */
export const THREAD_USERS_SHOWN = 5;

/** An action on an earlier message (see {@link ChatMessage.action}). */
export type MessageAction =
  | { type: 'edit'; target: number }
  | { type: 'delete'; target: number }
  | { type: 'react'; target: number; emoji: string; add: boolean };

/** A member's role in a room, from most to least powerful. */
export type Role = 'owner' | 'admin' | 'member';

/** What a system event records. */
export type SystemEventType =
  | 'created'
  | 'joined'
  | 'left'
  | 'added'
  | 'kicked'
  | 'banned'
  | 'unbanned'
  | 'muted'
  | 'unmuted'
  | 'role'
  | 'renamed'
  | 'topic'
  | 'archived'
  | 'unarchived'
  | 'pinned'
  | 'unpinned'
  | 'webhook_added'
  | 'webhook_removed';

/** A change of a room or of its members, as recorded in the room's log (see {@link ChatMessage.event}). */
export interface SystemEvent {
  type: SystemEventType;
  /** The member the event is about (joined, left, added, kicked, banned, unbanned, muted, unmuted, role). */
  user?: UserInfo;
  /** role: the new role. */
  role?: Role;
  /** created, renamed: the room's name; webhook_added, webhook_removed: the webhook's. */
  name?: string;
  /** topic: the new topic. */
  topic?: string;
  /** kicked, banned: the reason given, if any. */
  reason?: string;
  /** banned, muted: when it ends by itself (ms since the Unix epoch); absent: until lifted. */
  until?: number;
  /** pinned, unpinned: the offset of the message pinned or unpinned. */
  target?: number;
}

/**
 * Whether a message (or a room list entry's `last`) is a mention of a user, as the server counts them: it names them
 * in `mentions`, or it mentions the whole room (`mentionsRoom`); never a user's own message.
 */
export function mentionsUser(
  message: { from: UserInfo; mentions?: string[]; mentionsRoom?: true },
  userId: string,
): boolean {
  return (
    message.from.id !== userId &&
    (message.mentionsRoom === true || message.mentions?.includes(userId) === true)
  );
}

/**
 * What a user typed in a room's message box and has not sent (`set_draft`), kept by the server so that each of their
 * devices finds it there.
 */
export interface Draft {
  room: string;
  /** The text as typed (never empty: an empty draft is none). */
  text: string;
  /** When it was last set (ms since the Unix epoch): the newest of two wins. */
  at: number;
}

/**
 * A message its sender scheduled to be sent later (`schedule`): sent as they wrote it when `at` comes, by whichever
 * instance claims it first; only its sender sees it until then.
 */
export interface ScheduledMessage {
  id: string;
  room: string;
  text: string;
  /** When it is to be sent (ms since the Unix epoch). */
  at: number;
  /** When it was scheduled. */
  createdAt: number;
  replyTo?: number;
  mentions?: string[];
  mentionsRoom?: true;
  /**
   * Why it could not be sent when its time came (the refusal `send` would have answered then: `muted`,
   * `not_member`, `archived`…); it stays, no longer due, until its sender removes it.
   */
  failed?: { code: string; message: string; at: number };
}
