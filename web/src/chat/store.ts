/**
 * The chat's state over the SDK, as Preact signals: rooms with their messages (pending, sent, failed), unread
 * counts, presence and typing, and the connection. Views read signals; only this store talks to the client.
 */
import { batch, computed, type Signal, signal } from '@preact/signals';
import {
  applyAction,
  applyThreadReply,
  type BanSummary,
  type ChatMessage,
  type ConnectionState,
  defaultNotificationLevel,
  type FileRef,
  type FollowedThread,
  type FollowedThreadCounts,
  type InvitationSummary,
  type InviteLinkSummary,
  type InvitePreviewFrame,
  isUserId,
  type MemberSummary,
  mentionsUser,
  type NotificationLevel,
  ParleyClient,
  type ParleyError,
  type PinSummary,
  parseSearch,
  type ReminderFrame,
  type Role,
  type RoomInvitationSummary,
  type RoomRemovedFrame,
  type RoomSummary,
  type SavedSummary,
  type ScheduledMessage,
  type SentInvitationSummary,
  type SentInvitationsCursor,
  type SystemEvent,
  searchWords,
  type ThreadStateFrame,
  type UserInfo,
  type UserStatus,
  type WebhookSummary,
} from '../../../client/index.js';
import type { SearchCommand } from '../../../client/wire/commands.js';
import { lastOf, previewAfter } from '../../../client/wire/last-message.js';
import { sizeOf, summaryOf, textOrFiles, untilOf } from '../format.js';
import { DraftSync } from './draft-sync.js';
import { LinkPreviews } from './link-previews.js';
import { notify } from './notifications.js';
import { ScheduledList } from './scheduled-list.js';

/** A message as the chat shows it. */
/** The message a chat address names (`?room=lobby&message=42`, and `&thread=` for a thread's reply), if any. */
export function messageLinkOf(search: string): { room: string; offset: number; thread?: number } | undefined {
  const params = new URLSearchParams(search);
  const room = params.get('room');
  const offset = Number(params.get('message'));
  const thread = Number(params.get('thread'));
  if (!room || !Number.isSafeInteger(offset) || offset < 1) return undefined;
  return Number.isSafeInteger(thread) && thread > 0 ? { room, offset, thread } : { room, offset };
}

export interface ShownMessage {
  /** The server id once known, the client id before. */
  key: string;
  cid: string;
  offset?: number;
  from: UserInfo;
  text: string;
  ts: number;
  status: 'pending' | 'sent' | 'failed';
  mine: boolean;
  error?: string;
  /** A system event (someone joined, was kicked, the room was renamed): shown as a small notice. */
  event?: SystemEvent;
  /** What a send carries besides its text (the reply's original, its thread, mentions, files), kept for a retry. */
  extra?: { replyTo?: number; thread?: number; broadcast?: boolean; mentions?: string[]; files?: string[] };
  /** The files it carries, shown while it is being sent (then the server's copy, {@link message}, has them). */
  files?: FileRef[];
  /** The message as the server has it now (edits, deletes and reactions applied), once it is stored. */
  message?: ChatMessage;
  /** Its text names this user (`@Name` with the user among its mentions). */
  mentionsMe?: boolean;
}

/** The thread a message is a reply in (its root's offset), sent or on its way; undefined for the room's timeline. */
export function threadOf(message: ShownMessage): number | undefined {
  return message.message?.thread ?? message.extra?.thread;
}

/**
 * Whether a message is shown in the room's timeline: any but a reply in a thread, unless that reply was also sent to
 * the room (`broadcast`), which is shown in both.
 */
export function inTimeline(message: ShownMessage): boolean {
  return (
    threadOf(message) === undefined ||
    message.message?.broadcast === true ||
    message.extra?.broadcast === true
  );
}

/**
 * The message box of a thread (its draft and its files are its own): a key of the same maps as a room's box, which
 * is the room's name (room names have no U+0000).
 */
export function threadBox(room: string, root: number): string {
  return `${room}\u0000${root}`;
}

/** The room a message box writes to (see {@link threadBox}). */
function roomOfBox(box: string): string {
  const end = box.indexOf('\u0000');
  return end < 0 ? box : box.slice(0, end);
}

/** The key of a followed thread in {@link ChatStore.follows}: its room and its root's offset. */
function followKey(room: string, root: number): string {
  return `${room} ${root}`;
}

/** A followed thread's read marker (the newest reply read) and the counts after it. */
export interface ThreadCounts {
  read: number;
  unread: number;
  mentions: number;
}

/** The thread open beside a room's conversation: its root, and whether older replies are still to be read. */
export interface OpenThread {
  room: string;
  root: number;
  hasMore: boolean;
  loading: boolean;
}

/** A file chosen to go with the next message of a room: uploading, ready (uploaded), or refused. */
export interface Attachment {
  key: string;
  name: string;
  size: number;
  /** Bytes handed to the server so far. */
  sent: number;
  status: 'uploading' | 'ready' | 'failed';
  /** Once uploaded: what the message will carry. */
  file?: FileRef;
  error?: string;
  /** An image's local copy, shown before it is sent (revoked when it goes). */
  preview?: string;
  abort: AbortController;
}

/** A line in a room that is not a message: recovery and reset notices. */
export interface Notice {
  /** Placed after the message with this offset (0: at the top). */
  afterOffset: number;
  text: string;
}

/** One joined room. */
export interface RoomModel {
  /** The room's id (what is joined). */
  name: string;
  messages: Signal<ShownMessage[]>;
  notices: Signal<Notice[]>;
  unread: Signal<number>;
  users: Signal<UserInfo[]>;
  /** How many users are in the room: more than {@link users} lists in a room bigger than a join's snapshot. */
  userCount: Signal<number>;
  typing: Signal<UserInfo[]>;
  /** Older history exists beyond the first message shown. */
  hasMore: Signal<boolean>;
  loadingOlder: Signal<boolean>;
  /** Messages shown when the connection was lost (to count what a resume recovered). */
  shownAtDisconnect?: number;
  /** The "new messages" divider goes after this offset (the read marker when the room was opened). */
  dividerAfter: Signal<number | null>;
  /** The newest offset this client marked read (not sent again). */
  markedRead: number;
  /** Marked unread in this tab while open: not marked read again until the room is opened anew. */
  keptUnread: boolean;
  /**
   * Messages shown before the server reset the room's history (a new epoch): kept on screen above a separator,
   * so nobody loses sight of what they wrote; their offsets belong to the old history.
   */
  beforeReset: Signal<ShownMessage[]>;
  /** A message to bring into view (a search result picked): the list loads back to it, shows it, then clears this. */
  jump: Signal<number | undefined>;
  /**
   * The lowest offset of the room's history pages read here (not its threads' pages, which may reach far older
   * messages): where the next older page ends. Undefined until a page held a message.
   */
  pagedFrom?: number;
  /** The room's pinned messages, the most recently pinned first; null until read (a stored room, when opened). */
  pins: Signal<PinSummary[] | null>;
}

/** The filters of a search as the server takes them (docs/protocol.md, "Finding messages"). */
export type SearchFilters = Pick<SearchCommand, 'from' | 'has' | 'since' | 'until'>;

/** The chat's message search: what was asked, what came back, and whether more may follow. */
export interface SearchState {
  /** The text typed, filters and all. */
  query: string;
  /** The words searched (the text without its filters): what the results mark. */
  words: string[];
  /** The filters typed, as the server takes them. */
  filters: SearchFilters;
  /** The filters as understood, to be shown ("From Alice", "With files"…). */
  labels: string[];
  /** The room searched; undefined for every room of the user. */
  room?: string;
  /** Newest first. */
  messages: ChatMessage[];
  /** The server's cursor of the next page, when more may follow. */
  next?: string;
  busy: boolean;
  /** Why the last request failed (shown under the form). */
  problem?: string;
}

const PAGE = 50;

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * An anonymous user's id in this browser, by display name: two tabs signed in as one name are one user (their
 * presence counts once), two names are two people (a demo in two tabs works as it reads).
 */
export function anonymousUserId(name: string): string {
  const key = name.trim().toLowerCase();
  let ids: Record<string, string> = {};
  try {
    const saved = JSON.parse(localStorage.getItem('parley.ids') ?? '{}') as unknown;
    if (saved && typeof saved === 'object') ids = saved as Record<string, string>;
  } catch {
    // A damaged entry: start over.
  }
  let id = ids[key];
  if (!id) {
    id = crypto.randomUUID().replaceAll('-', '');
    ids[key] = id;
    localStorage.setItem('parley.ids', JSON.stringify(ids));
  }
  return id;
}

/** How the chat signs in: a display name (anonymous mode), or tokens from the site's token endpoint. */
export type SignInMode =
  | { kind: 'anonymous'; name: string }
  | { kind: 'token'; token: () => Promise<string> };

/** While degraded, how often the server's readiness is asked (it says when it can store messages again). */
const DEGRADED_PROBE_MS = 3000;

/** The invitations of a list that have not expired by `now` (no event says when one does). */
export function unexpired<T extends { expiresAt?: number }>(invitations: T[], now = Date.now()): T[] {
  return invitations.filter((i) => i.expiresAt === undefined || i.expiresAt > now);
}

/** How long typing pauses before a room's draft goes to the server (for the user's other devices). */
const DRAFT_SEND_DELAY_MS = 800;

/** Where a user's drafts are kept for the tab, by user id. */
const draftsKey = (userId: string) => `parley.drafts.${userId}`;

export class ChatStore {
  /** Who this user is: the chosen name, or (token mode) the identity in the server's welcome. */
  me: UserInfo;
  readonly client: ParleyClient;
  readonly connection = signal<ConnectionState>({ status: 'idle' });
  readonly rooms = signal<RoomModel[]>([]);
  readonly current = signal<string | null>(null);
  readonly maxTextLength = signal(4000);
  /** The largest file the server takes (0: none), and how many one message carries (from its welcome frame). */
  readonly maxFileBytes = signal(0);
  private maxFilesPerMessage = 10;
  /** The files chosen for the next message of each room (see {@link attach}). */
  readonly attachments = signal<Record<string, Attachment[]>>({});
  /** The server's largest history page (from its welcome frame). */
  private historyPageMax = 100;
  /** The server's room-name length limit (from its welcome frame). */
  readonly maxRoomNameLength = signal(64);
  /** The user's rooms as the server keeps them (empty on a server without stored rooms). */
  readonly roomList = signal<RoomSummary[]>([]);
  readonly invitations = signal<InvitationSummary[]>([]);
  /** The user's saved messages, the most recently saved first; null until read (when the list is first opened). */
  readonly saved = signal<SavedSummary[] | null>(null);
  /** Where the saved messages are (`room offset`), for each message's Save or Unsave: derived from {@link saved}. */
  private readonly savedPlaces = computed(
    () => new Set((this.saved.value ?? []).map(({ message }) => `${message.room} ${message.offset}`)),
  );
  /**
   * The threads this user follows, by `room offset` of their roots: the read marker and the counts after it, as the
   * server says (read with the list at each welcome, then from `thread_state`).
   */
  readonly follows = signal<ReadonlyMap<string, ThreadCounts>>(new Map());
  /** Whether the sidebar shows the followed threads' list (read again when it opens; kept current while open). */
  readonly threadsOpen = signal(false);
  /** The followed threads' list (newest reply first), as last read: null until read. */
  readonly followedThreads = signal<FollowedThread[] | null>(null);
  /** The newest reply this client marked read in each thread it opened (not again, followed or not). */
  private readonly threadReadSent = new Map<string, number>();
  /** How many followed threads have replies this user has not read: the sidebar's Threads badge. */
  readonly threadsUnread = computed(
    () => [...this.follows.value.values()].filter((c) => c.unread > 0).length,
  );
  /** The message search shown, if any. */
  readonly search = signal<SearchState | null>(null);
  /** The message whose earlier texts are shown under it ("(edited)" opens them), if any: one at a time. */
  readonly shownEdits = signal<{ room: string; offset: number } | null>(null);
  /** Counts searches started (not their further pages): a new one opens the search panel, wherever it was asked. */
  readonly searchOpened = signal(0);
  /** Counts searches, so that a late answer to an earlier one is dropped. */
  private searchId = 0;
  /** Unread counts of listed rooms that are not open here (from their activity). */
  readonly listUnread = signal<Record<string, number>>({});
  /** Whether the server keeps rooms (group chat); false with `--store redis`. */
  readonly groupChat = signal(true);
  /** The last refusal or outcome of a room action, shown to the user. */
  readonly notice = signal<string | null>(null);
  /** The message the composer answers, if any. */
  readonly replyingTo = signal<ShownMessage | null>(null);
  /** The message whose text the composer edits, if any. */
  readonly editing = signal<ShownMessage | null>(null);
  /** An invite link this tab was opened with, and what it lets into: asked to confirm before joining. */
  readonly linkOffer = signal<{ code: string; preview: InvitePreviewFrame } | null>(null);
  /** The thread shown beside the conversation, if any (its replies are among its room's messages). */
  readonly thread = signal<OpenThread | null>(null);
  /** What was typed in each room's box and not sent, by room (see {@link draftOf}). */
  private drafts = new Map<string, string>();
  /** What users say of themselves, by user id, as last heard (see {@link statusOf}). */
  readonly statuses = signal<Record<string, UserStatus>>({});
  /** Users whose status this connection asked for (or heard of). */
  private readonly statusAsked = new Set<string>();
  /** The person whose card is shown (their name on a message was clicked), or none. */
  readonly personShown = signal<UserInfo | null>(null);
  /** What to do once a message is stored (a poll's reactions), by client id. */
  private readonly afterSent = new Map<string, (offset: number) => void>();
  /** Previews of the pages messages link to (see LinkPreviews). */
  readonly linkPreviews: LinkPreviews;
  /** The user's messages scheduled to be sent later (see ScheduledList). */
  readonly scheduled: ScheduledList;
  /** Bumped when a draft is put in a box from elsewhere (a scheduled message taken back to edit): boxes read it again. */
  readonly draftPut = signal(0);
  /** Bumped when a draft comes from another device: boxes read it again (without taking the keyboard). */
  readonly draftHeard = signal(0);
  /** Drafts shared with the user's other devices through the server. */
  private readonly draftSync: DraftSync;
  /** Whether this user shares read receipts ("seen" in direct rooms). */
  readonly readReceipts = signal(true);
  /** The first page of each opened stored room's members (who can be mentioned besides who is online). */
  private readonly knownMembers = new Map<string, UserInfo[]>();
  /** In direct rooms: how far each other person has read, by room and user id. */
  readonly seen = signal<Record<string, Record<string, number>>>({});
  /** Mention counts of listed rooms (from the room list, `read` frames and live messages). */
  readonly listMentions = signal<Record<string, number>>({});
  /**
   * Why the server cannot take messages right now (its message store or Redis is unavailable), while it says so:
   * set by a send refused with `unavailable`, cleared when the server is ready again or a send goes through.
   */
  readonly degraded = signal<string | null>(null);
  private degradedProbe?: ReturnType<typeof setInterval>;
  /** The saved rooms were reopened (on the first welcome). */
  private restored = false;
  /** The invite link this tab was opened with (`?join=`), used once the room list is in. */
  private linkToJoin = new URLSearchParams(location.search).get('join') ?? undefined;
  /** The message link this tab was opened with (`?room=&message=`), opened once the room list is in. */
  private linkToMessage = messageLinkOf(location.search);
  /** Rooms to open by default, for {@link restoreRooms}. */
  private startRooms: string[] = [];

  constructor(mode: SignInMode) {
    this.me =
      mode.kind === 'anonymous' ? { id: anonymousUserId(mode.name), name: mode.name } : { id: '', name: '' };
    // A chat should come back quickly: retries are capped at 5 s (with jitter) rather than the SDK's 15 s.
    this.client = new ParleyClient({
      url: wsUrl(),
      ...(mode.kind === 'anonymous' ? { name: mode.name, userId: this.me.id } : { token: mode.token }),
      reconnect: { maxDelayMs: 5000 },
    });
    this.linkPreviews = new LinkPreviews(this.client);
    this.scheduled = new ScheduledList(this.client, (work, done) => this.act(work, done));
    this.draftSync = new DraftSync({
      send: (room, text) => this.client.setDraft(room, text),
      list: () => this.client.drafts(),
      local: (room) => this.draftOf(room),
      localRooms: () => [...this.drafts.keys()].filter((slot) => !slot.includes('\u0000')),
      apply: (room, text) => {
        this.keepDraft(room, text);
        this.draftHeard.value += 1;
      },
      refused: (error) => {
        // A server that keeps no rooms keeps no drafts: this tab's own stay.
        if ((error as ParleyError).code === 'draft_limit') this.notice.value = (error as Error).message;
      },
      delayMs: DRAFT_SEND_DELAY_MS,
    });
    this.client.on('draft', (draft) => this.draftSync.heard(draft));
    this.client.on('state', (state) => this.onState(state));
    this.client.on('welcome', (welcome) => {
      this.me = welcome.user;
      this.maxTextLength.value = welcome.limits.maxTextLength;
      // A server from before files says nothing of them: it takes none.
      this.maxFileBytes.value = welcome.limits.maxFileBytes ?? 0;
      this.maxFilesPerMessage = welcome.limits.maxFilesPerMessage ?? 10;
      // A server that makes no previews says so (one from before them says nothing: none asked of it).
      this.linkPreviews.offered.value = welcome.limits.linkPreviews === true;
      this.historyPageMax = welcome.limits.historyPageMax;
      this.maxRoomNameLength.value = welcome.limits.maxRoomNameLength;
      const listed = this.loadRoomList();
      // Statuses may have changed while this client was away: they are asked for again as people are shown. This
      // user's own, once the room list is in (from then on this connection hears of its changes: none is missed).
      this.statusAsked.clear();
      void listed.then(() => this.wantStatuses([this.me.id]));
      void listed.then(() => this.joinLinkOpened());
      void listed.then(() => this.messageLinkOpened());
      // The drafts of the user's other devices, likewise (and this tab's typed while away go to them).
      void listed.then((loaded) => (loaded ? this.draftSync.load() : undefined)).catch(() => {});
      // The followed threads' counts (no message read), once the room list is in (this connection hears their
      // changes); the list itself when it is shown.
      void listed.then(() => this.loadThreadCounts());
      // The scheduled messages, likewise (every change after the room list is heard).
      void listed.then((loaded) => (loaded ? this.scheduled.load() : undefined));
      if (!this.restored) {
        // The rooms this user had open in this browser (known once the server said who the user is).
        this.restored = true;
        this.drafts = loadDrafts(this.me.id);
        void listed.then((loaded) => this.restoreRooms(loaded));
      }
    });
    this.client.on('room_added', ({ room }) => this.upsertListed(room));
    this.client.on('room_removed', (frame) => this.onRemoved(frame));
    this.client.on('invited', ({ invitation }) => {
      const rest = this.invitations.value.filter((i) => i.room.id !== invitation.room.id);
      this.invitations.value = [...rest, invitation];
    });
    this.client.on('invitation_removed', ({ room }) => {
      this.forgetInvitation(room);
    });
    this.client.on('activity', ({ room, last }) => {
      const entry = this.listed(room);
      if (!entry) return;
      if (last.thread !== undefined && !last.broadcast) {
        // A reply in a thread: no preview, no unread message of the room; a mention of this user counts, and a
        // thread they follow notifies as a mention does (as in a room open here).
        if (last.from.id === this.me.id) return;
        const mentioned = mentionsUser(last, this.me.id);
        if (mentioned || this.isFollowing(room, last.thread)) {
          const text = textOrFiles(last.preview, last.files, last.forwarded);
          this.notifyOf(room, last.from.name, text, true);
        }
        if (mentioned) this.countMention(room);
        return;
      }
      const updated: RoomSummary = { ...entry, last, activity: Math.max(entry.activity, last.ts) };
      this.upsertListed(last.event ? this.withEvent(updated, last.event) : updated);
      if (last.from.id !== this.me.id && !last.event) {
        const mentioned = mentionsUser(last, this.me.id);
        this.notifyOf(room, last.from.name, textOrFiles(last.preview, last.files, last.forwarded), mentioned);
        this.listUnread.value = { ...this.listUnread.value, [room]: (this.listUnread.value[room] ?? 0) + 1 };
        if (mentioned) this.countMention(room);
      }
    });
    // A listed room's message was edited or deleted (in a room not open here): its preview follows.
    this.client.on('preview', ({ room, offset, preview }) => this.previewChanged(room, offset, preview));
    this.client.on('message', (message) => this.onMessage(message));
    this.client.on('action', ({ room, entry }) => {
      const model = this.room(room);
      if (model) this.merge(model, [entry]);
      // A pinned message edited or deleted: the pins say it as it is now (a deleted one is pinned no more).
      const target = entry.action?.target;
      if (model && target !== undefined && model.pins.value?.some((p) => p.message.offset === target)) {
        void this.loadPins(room);
      }
      const preview = previewAfter(entry);
      if (preview) this.previewChanged(room, preview.offset, preview.preview);
    });
    this.client.on('status', ({ user, status }) => this.keepStatus(user, status));
    this.client.on('seen', ({ room, user, offset }) => {
      this.seen.value = { ...this.seen.value, [room]: { ...this.seen.value[room], [user]: offset } };
    });
    this.client.on('notifications', ({ room, level }) => {
      const entry = this.listed(room);
      if (entry) this.upsertListed({ ...entry, notifications: level });
    });
    this.client.on('favorite', ({ room, favorite }) => {
      const entry = this.listed(room);
      if (entry) this.upsertListed(withFlag(entry, 'favorite', favorite));
    });
    this.client.on('hide', ({ room, hidden }) => {
      const entry = this.listed(room);
      if (entry) this.upsertListed(withFlag(entry, 'hidden', hidden));
    });
    this.client.on('read', ({ room, offset, unread, mentions }) => {
      // Read on this or another device (or marked unread: the marker went back): the counts as the server has them now.
      batch(() => {
        this.setReadOffset(room, offset, true);
        this.listUnread.value = { ...this.listUnread.value, [room]: unread };
        this.listMentions.value = { ...this.listMentions.value, [room]: mentions };
        // A read that covers everything this client shows clears its count; an older one (it crossed newer
        // messages) leaves the count of what came since.
        const model = this.room(room);
        const newest = model?.messages.value.reduce((max, m) => Math.max(max, m.offset ?? 0), 0) ?? 0;
        if (model && offset >= newest) model.unread.value = 0;
      });
    });
    this.client.on('thread_state', (state) => this.onThreadState(state));
    this.client.on('reminder', (reminder) => this.onReminder(reminder));
    this.client.on('presence', ({ room, users, count }) => {
      const model = this.room(room);
      if (!model) return;
      model.users.value = users;
      model.userCount.value = count;
    });
    this.client.on('typing', ({ room, users }) => {
      const model = this.room(room);
      if (model) model.typing.value = users.filter((u) => u.id !== this.me.id);
    });
    this.client.on('joined', ({ room, rejoin, recovered }) => this.onJoined(room, rejoin, recovered));
    this.client.on('reset', ({ room }) => this.onReset(room));
  }

  /**
   * Connects. `rooms` are joined at once: rooms the user just asked for. With `restore`, they are the room a
   * session or the site opens by default, and what is opened is decided once the server said who the user is
   * ({@link restoreRooms}): joining them blindly would make the user a member again of a room they left.
   */
  connect(rooms: string[], options: { restore?: boolean } = {}): void {
    this.client.connect();
    if (options.restore) this.startRooms = rooms;
    else for (const room of rooms) void this.join(room);
  }

  room(name: string): RoomModel | undefined {
    return this.rooms.value.find((r) => r.name === name);
  }

  /**
   * Joins (or creates, by joining) a room and makes it current (unless `select` is false). A refusal (a private
   * room without an invitation, a ban, a name kept for direct rooms) takes the room away again and says why.
   */
  async join(name: string, select = true): Promise<void> {
    const previous = this.current.value;
    if (!this.room(name)) {
      const model: RoomModel = {
        name,
        messages: signal([]),
        notices: signal([]),
        unread: signal(0),
        users: signal([]),
        userCount: signal(0),
        typing: signal([]),
        hasMore: signal(false),
        loadingOlder: signal(false),
        dividerAfter: signal(null),
        markedRead: 0,
        keptUnread: false,
        beforeReset: signal([]),
        jump: signal(undefined),
        pins: signal(null),
      };
      this.rooms.value = [...this.rooms.value, model];
      this.saveRooms();
    }
    if (select || this.current.value === null) this.select(name);
    try {
      await this.client.join(name);
    } catch (error) {
      // A temporary failure is retried by the SDK, which joins the room once it can.
      if ((error as ParleyError).temporary) return;
      const title = this.title(name);
      batch(() => {
        this.rooms.value = this.rooms.value.filter((r) => r.name !== name);
        if (this.current.value === name) {
          this.current.value =
            previous !== null && this.room(previous) ? previous : (this.rooms.value[0]?.name ?? null);
        }
        this.saveRooms();
        this.notice.value = `Could not join ${title}: ${(error as Error).message}`;
      });
    }
  }

  async leave(name: string): Promise<void> {
    this.rooms.value = this.rooms.value.filter((r) => r.name !== name);
    if (this.current.value === name) this.current.value = this.rooms.value[0]?.name ?? null;
    this.saveRooms();
    await this.client.leave(name);
  }

  select(name: string): void {
    // A reply or an edit belongs to the room it was started in: another room's composer starts without it.
    if (this.current.value !== name) {
      this.replyingTo.value = null;
      this.editing.value = null;
      this.thread.value = null;
      // Opened anew: what was marked unread is read once seen.
      const opened = this.room(name);
      if (opened) opened.keptUnread = false;
    }
    this.current.value = name;
    const model = this.room(name);
    const entry = this.listed(name);
    // The divider marks where the unread messages start: the read marker as the server kept it.
    if (model && entry?.readOffset !== undefined && (this.unreadOf(name) > 0 || model.unread.value > 0))
      model.dividerAfter.value = entry.readOffset;
    if (model) model.unread.value = 0;
    this.forgetListCounts(name);
    if (model) this.markSeen(model);
    if (entry && !this.knownMembers.has(name)) {
      this.knownMembers.set(name, []);
      this.members(name).then(
        (page) =>
          this.knownMembers.set(
            name,
            page.members.map((m) => m.user),
          ),
        () => this.knownMembers.delete(name),
      );
    }
  }

  /** Drops a room's unread and mention counts of the room list (it is read, or its history is gone). */
  private forgetListCounts(room: string): void {
    batch(() => {
      if (this.listUnread.value[room]) {
        const { [room]: _, ...rest } = this.listUnread.value;
        this.listUnread.value = rest;
      }
      if (this.listMentions.value[room]) {
        const { [room]: _, ...rest } = this.listMentions.value;
        this.listMentions.value = rest;
      }
    });
  }

  /** Turns this user's read receipts on or off (every device). */
  async setReadReceipts(on: boolean): Promise<void> {
    const settings = await this.act(() => this.client.settings({ readReceipts: on }));
    if (settings) this.readReceipts.value = settings.readReceipts;
  }

  /** A user's status in force, if known (one past its end is none). */
  statusOf(userId: string): UserStatus | undefined {
    const status = this.statuses.value[userId];
    return status && (status.until === undefined || status.until > Date.now()) ? status : undefined;
  }

  /**
   * Asks for the statuses of users about to be shown (the online list, the members panel) that this connection has
   * not asked for yet: later changes come as `status` events from the rooms shared with them.
   */
  wantStatuses(userIds: readonly string[]): void {
    const missing = [...new Set(userIds)].filter((id) => !this.statusAsked.has(id)).slice(0, 100);
    if (missing.length === 0 || !this.groupChat.value) return;
    for (const id of missing) this.statusAsked.add(id);
    this.client.statuses(missing).then(
      (found) => {
        const next = { ...this.statuses.value };
        for (const id of missing) {
          const status = found[id];
          if (status) next[id] = status;
          else delete next[id];
        }
        this.statuses.value = next;
      },
      () => {
        for (const id of missing) this.statusAsked.delete(id);
      },
    );
  }

  /** Sets this user's status (`{}` clears it); the answer is what is shown. */
  async setStatus(status: UserStatus): Promise<void> {
    const kept = await this.act(() => this.client.setStatus(status));
    if (kept) this.keepStatus(this.me.id, kept);
  }

  private keepStatus(userId: string, status: UserStatus): void {
    const next = { ...this.statuses.value };
    if (Object.keys(status).length === 0) delete next[userId];
    else next[userId] = status;
    this.statuses.value = next;
  }

  /** In a direct room, the newest offset another person has read (0: none known). */
  seenIn(room: string): number {
    return Math.max(0, ...Object.values(this.seen.value[room] ?? {}));
  }

  /** Unread messages of a room: this client's live count, else the server's. */
  unreadOf(id: string): number {
    return this.room(id)?.unread.value || (this.listUnread.value[id] ?? this.listed(id)?.unread ?? 0);
  }

  /** Mentions among a room's unread messages. */
  mentionsOf(id: string): number {
    return this.listMentions.value[id] ?? this.listed(id)?.mentions ?? 0;
  }

  /** Every unread message of every room the user hears from (the tab title): rooms set to "Nothing" do not count. */
  totalUnread(): number {
    const ids = new Set([...this.roomList.value.map((r) => r.id), ...this.rooms.value.map((r) => r.name)]);
    let total = 0;
    for (const id of ids) {
      if ((id !== this.current.value || document.hidden) && this.notificationsOf(id) !== 'none')
        total += this.unreadOf(id);
    }
    return total;
  }

  /**
   * What the user wants to be notified of in a room (their choice, kept by the server for every device); an open
   * channel, which nobody belongs to, as a room's default.
   */
  notificationsOf(id: string): NotificationLevel {
    const entry = this.listed(id);
    return entry?.notifications ?? defaultNotificationLevel(entry?.kind ?? 'public');
  }

  /** Sets what the user wants to be notified of in a room; every device hears it (and updates its list). */
  async setNotifications(room: string, level: NotificationLevel): Promise<void> {
    await this.act(() => this.client.setNotifications(room, level));
  }

  /** The current room is on screen: marks it read up to its newest message (once per new offset). */
  markSeen(model: RoomModel): void {
    if (this.current.value !== model.name || document.hidden || model.keptUnread) return;
    const newest = model.messages.value.reduce((max, m) => Math.max(max, m.offset ?? 0), 0);
    if (newest <= model.markedRead) return;
    model.markedRead = newest;
    this.client.markRead(model.name, newest);
    this.setReadOffset(model.name, newest);
  }

  /**
   * Marks the open room unread from a message on, for every device of the user: the server moves the read marker back
   * before it. This tab shows the "new messages" divider there and does not mark the room read again while it stays
   * open (as other chats do); opened anew, it does.
   */
  async markUnread(room: string, offset: number): Promise<void> {
    const model = this.room(room);
    if (model) {
      model.keptUnread = true;
      model.markedRead = offset - 1;
      model.dividerAfter.value = offset - 1;
    }
    await this.act(() => this.client.markUnread(room, offset), 'Marked unread from that message');
  }

  /**
   * Whether any room of the list shows unread messages (the sidebar then offers to mark them all read): a count, or
   * mentions in a room set to notify of nothing (which shows no count).
   */
  anyUnread(): boolean {
    return this.roomList.value.some(
      (r) =>
        r.id !== this.current.value &&
        (this.notificationsOf(r.id) === 'none' ? this.mentionsOf(r.id) > 0 : this.unreadOf(r.id) > 0),
    );
  }

  /**
   * Marks every room of the list read up to its newest message this client knows of (the list's, or the open
   * room's): the server takes a `read` of a listed room without its being joined, and its `read` frames bring every
   * device's counts down.
   */
  markAllRead(): void {
    // Cleared here at once; the server's `read` frames then say its counts (a message since counts again).
    const cleared: Record<string, number> = {};
    batch(() => {
      for (const entry of this.roomList.value) {
        if (this.unreadOf(entry.id) === 0) continue;
        const model = this.room(entry.id);
        const shown = model?.messages.value.reduce((max, m) => Math.max(max, m.offset ?? 0), 0) ?? 0;
        const newest = Math.max(entry.last?.offset ?? 0, shown);
        if (newest === 0) continue;
        this.client.markRead(entry.id, newest);
        this.setReadOffset(entry.id, newest);
        if (model) {
          model.markedRead = Math.max(model.markedRead, newest);
          model.unread.value = 0;
        }
        cleared[entry.id] = 0;
      }
      this.listUnread.value = { ...this.listUnread.value, ...cleared };
      this.listMentions.value = { ...this.listMentions.value, ...cleared };
    });
  }

  /**
   * Keeps the listed room's read marker (where the next "new messages" divider goes): forward only, unless `exact`
   * (the server's word, which a mark as unread moves back).
   */
  private setReadOffset(room: string, offset: number, exact = false): void {
    const entry = this.listed(room);
    if (entry && ((entry.readOffset ?? 0) < offset || (exact && entry.readOffset !== offset)))
      this.roomList.value = this.roomList.value.map((r) =>
        r.id === room ? { ...r, readOffset: offset } : r,
      );
  }

  /** The room list entry of a room, if the user belongs to it. */
  listed(id: string): RoomSummary | undefined {
    return this.roomList.value.find((r) => r.id === id);
  }

  /**
   * The rooms as the sidebar lists them: the user's rooms (newest activity first), the open channels joined here,
   * and the direct rooms. Alt+Up and Alt+Down go through them in this order.
   */
  sidebarRooms(): {
    favorites: RoomSummary[];
    rooms: RoomSummary[];
    channels: string[];
    directs: RoomSummary[];
    hidden: RoomSummary[];
  } {
    // A hidden room (closed) stays out of the list, unless it is the one on screen.
    const shown = (r: RoomSummary) => !r.hidden || r.id === this.current.value;
    const listed = this.roomList.value.filter(shown);
    const others = listed.filter((r) => !r.favorite);
    return {
      favorites: listed.filter((r) => r.favorite),
      rooms: others.filter((r) => r.kind !== 'direct'),
      // Rooms open here that the user does not belong to: open channels joined by name.
      channels: this.rooms.value.filter((r) => !this.listed(r.name)).map((r) => r.name),
      directs: others.filter((r) => r.kind === 'direct'),
      hidden: this.roomList.value.filter((r) => !shown(r)),
    };
  }

  /** Makes a room one of the user's favorites, or no longer; every device hears it (and moves it in its list). */
  async setFavorite(room: string, favorite: boolean): Promise<void> {
    await this.act(() => this.client.setFavorite(room, favorite));
  }

  /**
   * Closes a conversation: it leaves the list (on every device) until a new message comes, read up to its newest
   * message first (nothing unread is left out of sight). Closing the room on screen goes to the first other room.
   */
  async closeRoom(room: string): Promise<void> {
    const entry = this.listed(room);
    if (!entry) return;
    const model = this.room(room);
    const shown = model?.messages.value.reduce((max, m) => Math.max(max, m.offset ?? 0), 0) ?? 0;
    const newest = Math.max(entry.last?.offset ?? 0, shown);
    if (newest > (entry.readOffset ?? 0)) {
      this.client.markRead(room, newest);
      this.setReadOffset(room, newest);
      this.forgetListCounts(room);
      if (model) model.unread.value = 0;
    }
    if (this.current.value === room) {
      const next = this.rooms.value.find((r) => r.name !== room && !this.listed(r.name)?.hidden);
      if (next) this.select(next.name);
    }
    await this.act(() => this.client.hideRoom(room));
  }

  /** Opens a room of the sidebar, joining it on this device when it is not open here yet. */
  open(id: string): void {
    // A closed conversation picked again (Ctrl+K, a notification) is listed again, on every device.
    if (this.listed(id)?.hidden) void this.act(() => this.client.hideRoom(id, false));
    if (this.room(id)) this.select(id);
    else void this.join(id);
  }

  /** Opens the room before (-1) or after (1) the current one in the sidebar's order, around the ends. */
  openAdjacent(step: -1 | 1): void {
    const { favorites, rooms, channels, directs } = this.sidebarRooms();
    const order = [...favorites, ...rooms]
      .map((r) => r.id)
      .concat(
        channels,
        directs.map((r) => r.id),
      );
    if (order.length === 0) return;
    const at = this.current.value === null ? -1 : order.indexOf(this.current.value);
    const next = order[(at + step + order.length) % order.length] as string;
    if (next !== this.current.value) this.open(next);
  }

  /** What a room is called on screen: its name, a direct room's other people, or its id. */
  title(id: string): string {
    const entry = this.listed(id);
    if (!entry) return `#${id}`;
    if (entry.kind === 'direct') {
      const others = (entry.members ?? []).filter((m) => m.id !== this.me.id).map((m) => m.name);
      return others.join(', ') || 'Direct message';
    }
    return entry.name || entry.id;
  }

  /** The user's role in a room they belong to. */
  roleIn(id: string): Role | undefined {
    return this.listed(id)?.role;
  }

  /**
   * Opens again the rooms this browser had open, and the default room: those the user still belongs to, and open
   * channels (names that are no room). A room they left on another device, or were removed from, since is not
   * joined again: a join would make them a member once more. The first time in this browser (nothing ever saved),
   * the default room is joined as it is.
   * @param listed whether the room list was read: without it (the server could not answer, or keeps no rooms),
   *   every room is opened again, as before
   */
  private async restoreRooms(listed: boolean): Promise<void> {
    const saved = savedRooms(this.me.id);
    const start = this.startRooms;
    this.startRooms = [];
    if (!hasSavedRooms(this.me.id)) {
      for (const room of start) void this.join(room);
      return;
    }
    const member = new Set(this.roomList.value.map((r) => r.id));
    for (const room of new Set([...start, ...saved])) {
      if (this.room(room)) continue;
      const shown = this.current.value;
      if (listed && !member.has(room) && !(await this.isOpenChannel(room))) continue;
      // A room picked while the server was asked (the user clicked one) stays shown: this one joins behind it.
      void this.join(room, start.includes(room) && this.current.value === shown);
    }
    this.saveRooms();
  }

  /** Whether a name is an open channel: no room by that name exists (its members answer `no_room`). */
  private async isOpenChannel(room: string): Promise<boolean> {
    try {
      await this.client.members(room, { limit: 1 });
      return false;
    } catch (error) {
      return (error as { code?: string }).code === 'no_room';
    }
  }

  /** Reads the room list; resolves to whether it could. */
  private async loadRoomList(): Promise<boolean> {
    let loaded = false;
    try {
      const { rooms, invitations } = await this.client.roomList();
      batch(() => {
        this.roomList.value = rooms;
        this.invitations.value = invitations;
        this.groupChat.value = true;
        const seen: Record<string, Record<string, number>> = {};
        for (const room of rooms) if (room.seen) seen[room.id] = room.seen;
        this.seen.value = seen;
      });
      loaded = true;
      this.readReceipts.value = (await this.client.settings()).readReceipts;
    } catch (error) {
      if ((error as { code?: string }).code === 'unsupported') this.groupChat.value = false;
    }
    return loaded;
  }

  /** The preview of a room list entry whose newest message was edited or deleted (a deleted text shows nowhere). */
  private previewChanged(room: string, offset: number, preview: string): void {
    const entry = this.listed(room);
    if (entry?.last?.offset === offset) this.upsertListed({ ...entry, last: { ...entry.last, preview } });
  }

  private upsertListed(room: RoomSummary): void {
    const before = this.listed(room.id);
    // A closed room comes back with something new in it, as the server's next list says too.
    const newer = before !== undefined && (room.last?.offset ?? 0) > (before.last?.offset ?? 0);
    const entry = newer && room.hidden ? withFlag(room, 'hidden', false) : room;
    const rest = this.roomList.value.filter((r) => r.id !== room.id);
    this.roomList.value = [entry, ...rest].sort((a, b) => b.activity - a.activity);
  }

  private onRemoved({ room, reason, by, message, until }: RoomRemovedFrame): void {
    const title = this.title(room);
    batch(() => {
      this.roomList.value = this.roomList.value.filter((r) => r.id !== room);
      if (this.room(room)) {
        this.rooms.value = this.rooms.value.filter((r) => r.name !== room);
        if (this.current.value === room) this.current.value = this.rooms.value[0]?.name ?? null;
        this.saveRooms();
      }
      if (reason === 'forbidden') this.notice.value = `Your sign-in no longer allows ${title}`;
      else if (reason !== 'left') {
        const how = reason === 'banned' ? 'banned from' : 'removed from';
        const when = until !== undefined ? ` ${untilOf(until)}` : '';
        this.notice.value = `You were ${how} ${title}${by ? ` by ${by.name}` : ''}${when}${message ? `: ${message}` : ''}`;
      }
    });
  }

  /** Runs a room action; a refusal is shown as the store's notice instead of thrown. */
  private async act<T>(work: () => Promise<T>, done?: string): Promise<T | undefined> {
    try {
      const result = await work();
      this.notice.value = done ?? null;
      return result;
    } catch (error) {
      this.notice.value = (error as Error).message;
      return undefined;
    }
  }

  /** Renames, sets the topic, (un)archives or changes join announcements; the room list takes the answer. */
  async updateRoom(
    room: string,
    change: { name?: string; topic?: string; archived?: boolean; announceJoins?: boolean },
  ): Promise<void> {
    const updated = await this.act(() => this.client.updateRoom(room, change), 'Room settings saved');
    const entry = this.listed(room);
    if (updated && entry) this.upsertListed({ ...entry, ...updated });
  }

  /** Creates a room and opens it. */
  async createRoom(name: string, kind: 'public' | 'private'): Promise<void> {
    const room = await this.act(() => this.client.createRoom(name, { kind }));
    if (!room) return;
    this.upsertListed(room);
    await this.join(room.id);
  }

  /** Lists everyone online in a room bigger than a join's snapshot (the SDK's 10 pages: 500 users at the default page size; the count says how many). */
  async showEveryone(room: string): Promise<void> {
    await this.client.loadUsers(room).catch(() => {});
  }

  /** Opens the direct room with a user (the same one every time). */
  async openDirect(user: UserInfo): Promise<void> {
    await this.openDirectWith([user]);
  }

  /**
   * Opens the direct room of this user and the people `texts` name (each as {@link inviteByName} reads it; someone
   * nobody here knows by that name is taken as a user id): a group of up to 8 in all, the same room every time.
   */
  async openDirectByNames(texts: string[]): Promise<void> {
    const users: UserInfo[] = [];
    const unknown: string[] = [];
    for (const text of texts) {
      const typed = text.trim();
      // Oneself is in every direct room already.
      if (typed === '' || typed === this.me.id || nameKey(typed) === nameKey(this.me.name)) continue;
      const { person, sharedBy } = this.personNamed(typed);
      if (!person && sharedBy > 1) {
        this.notice.value = `${sharedBy} people are called ${typed}: message them from an online list`;
        return;
      }
      if (!person) unknown.push(typed);
      users.push(person ?? { id: typed, name: typed });
    }
    if (users.length === 0) return;
    // Users are not registered anywhere: a name nobody here has is taken as a user id, and the notice says so.
    const done =
      unknown.length > 0 ? `Messaging user id ${unknown.join(', ')} (nobody here is called that)` : undefined;
    await this.openDirectWith(users, done);
  }

  /**
   * The direct room of this user and `user`, made if it is not yet (the same one every time), listed but not opened:
   * its id, or undefined when refused (the notice says why).
   */
  async directRoomWith(user: UserInfo): Promise<string | undefined> {
    const room = await this.act(() => this.client.direct([{ id: user.id, name: user.name }]));
    if (!room) return undefined;
    this.upsertListed(room);
    return room.id;
  }

  /** Whether this user has a direct room with `user` alone in their list. */
  hasDirectWith(userId: string): boolean {
    return this.roomList.value.some(
      (r) => r.kind === 'direct' && r.members?.length === 2 && r.members.some((m) => m.id === userId),
    );
  }

  private async openDirectWith(users: UserInfo[], done?: string): Promise<void> {
    const room = await this.act(() => this.client.direct(users.map(({ id, name }) => ({ id, name }))), done);
    if (!room) return;
    this.upsertListed(room);
    await this.join(room.id);
  }

  /** The invitation to `room` is gone from the list (accepted, declined, withdrawn or expired). */
  private forgetInvitation(room: string): void {
    this.invitations.value = this.invitations.value.filter((i) => i.room.id !== room);
  }

  async acceptInvitation(room: string): Promise<void> {
    let joined: RoomSummary;
    try {
      joined = await this.client.acceptInvitation(room);
    } catch (error) {
      // Withdrawn or expired meanwhile (no event says so for an expired one): it is no invitation any more.
      if ((error as ParleyError).code === 'not_invited') {
        this.forgetInvitation(room);
        this.notice.value = 'This invitation was withdrawn or has expired';
      } else this.notice.value = (error as Error).message;
      return;
    }
    this.notice.value = null;
    this.forgetInvitation(room);
    this.upsertListed(joined);
    await this.join(room);
  }

  /**
   * How many system events of a room this tab holds: panels that list what such an event changes (members, webhooks,
   * invite links) read their list again when it moves.
   */
  roomEvents(room: string): number {
    return this.room(room)?.messages.value.filter((m) => m.event).length ?? 0;
  }

  /** The address of an invite link: this chat, told to join with its code. */
  inviteLinkUrl(code: string): string {
    return `${location.origin}/?join=${encodeURIComponent(code)}`;
  }

  /** The address of a message: this chat, told to open its room at it (a thread's reply: in its thread). */
  messageUrl(message: Pick<ChatMessage, 'room' | 'offset' | 'thread'>): string {
    const url = new URL('/', location.origin);
    url.searchParams.set('room', message.room);
    url.searchParams.set('message', String(message.offset));
    if (message.thread !== undefined) url.searchParams.set('thread', String(message.thread));
    return url.href;
  }

  /** Copies a message's address (see {@link messageUrl}) to the clipboard, and says so. */
  async copyMessageLink(message: ChatMessage): Promise<void> {
    await this.act(
      () => navigator.clipboard.writeText(this.messageUrl(message)),
      'Link to the message copied',
    );
  }

  /**
   * The message link this tab was opened with, once, taken out of the address bar: its room opens at the message (a
   * room the user is not in is joined as a name typed in would be: a private one refuses, and the notice says why).
   */
  private async messageLinkOpened(): Promise<void> {
    const link = this.linkToMessage;
    if (!link) return;
    this.linkToMessage = undefined;
    const url = new URL(location.href);
    for (const name of ['room', 'message', 'thread']) url.searchParams.delete(name);
    history.replaceState(history.state, '', url);
    await this.showMessage(link.room, link.offset, link.thread);
  }

  /** Makes an invite link to a room: the link, or undefined when refused (the notice says why). */
  createInviteLink(
    room: string,
    options: { expiresInMs?: number; maxUses?: number },
  ): Promise<InviteLinkSummary | undefined> {
    return this.act(() => this.client.createInviteLink(room, options), 'Invite link made: copy it below');
  }

  /** A room's invite links (those who may invite see them in its members panel). */
  inviteLinks(room: string): Promise<InviteLinkSummary[]> {
    return this.client.inviteLinks(room);
  }

  /** Revokes an invite link: nobody joins with it from now on. */
  revokeInviteLink(room: string, code: string): Promise<unknown> {
    return this.act(() => this.client.revokeInviteLink(room, code), 'Invite link revoked');
  }

  /** Joins the room of an invite link and opens it. */
  async joinLink(code: string): Promise<void> {
    let room: RoomSummary;
    try {
      room = await this.client.joinLink(code);
    } catch (error) {
      this.notice.value = `Could not join with this link: ${(error as Error).message}`;
      return;
    }
    this.notice.value = null;
    this.upsertListed(room);
    await this.join(room.id);
  }

  /**
   * The invite link this tab was opened with, once, taken out of the address bar: what it lets into is shown to
   * confirm the join ({@link linkOffer}); a room the user is a member of already just opens.
   */
  private async joinLinkOpened(): Promise<void> {
    const code = this.linkToJoin;
    if (!code) return;
    this.linkToJoin = undefined;
    const url = new URL(location.href);
    url.searchParams.delete('join');
    history.replaceState(history.state, '', url);
    let preview: InvitePreviewFrame;
    try {
      preview = await this.client.invitePreview(code);
    } catch (error) {
      this.notice.value = `Could not join with this link: ${(error as Error).message}`;
      return;
    }
    if (preview.member) this.open(preview.room.id);
    else this.linkOffer.value = { code, preview };
  }

  /** Answers the invite link's offer: joins its room, or not. */
  async answerLinkOffer(join: boolean): Promise<void> {
    const offer = this.linkOffer.value;
    this.linkOffer.value = null;
    if (offer && join) await this.joinLink(offer.code);
  }

  async declineInvitation(room: string): Promise<void> {
    await this.act(() => this.client.declineInvitation(room));
    this.forgetInvitation(room);
  }

  /** Whether the user may end their membership of a listed room: any but a direct room of two. */
  canLeave(room: string): boolean {
    const entry = this.listed(room);
    return entry !== undefined && (entry.kind !== 'direct' || entry.memberCount >= 3);
  }

  /**
   * Leaves a room for good, on every device (an open channel is only closed). A private room asks first: coming
   * back takes a new invitation.
   */
  async leaveRoom(room: string): Promise<void> {
    const listed = this.listed(room);
    if (
      listed?.kind === 'private' &&
      !confirm(`Leave ${this.title(room)}? It is private: coming back takes a new invitation.`)
    )
      return;
    if (this.canLeave(room)) await this.act(() => this.client.leaveRoom(room));
    await this.leave(room);
  }

  /**
   * Invites the person `text` names: a known person's id, or the one known person of that name (any case). Users
   * are not registered anywhere, so anything else is invited as a user id, and the notice says so. A name several
   * known people share is not guessed: the notice asks to pick one (the invite form lists them by id).
   */
  inviteByName(room: string, text: string): Promise<unknown> {
    const typed = text.trim();
    const { person, sharedBy } = this.personNamed(typed);
    if (!person && sharedBy > 1) {
      this.notice.value = `${sharedBy} people are called ${typed}: pick one from the list`;
      return Promise.resolve(undefined);
    }
    const done = person ? `Invited ${person.name}` : `Invited user id ${typed} (nobody here is called that)`;
    return this.act(() => this.client.invite(room, person?.id ?? typed), done);
  }

  /**
   * The known person `typed` is: by id, or the one known person of that name (any case); `sharedBy` such names.
   * `authors`: the senders of the messages shown count as known too.
   */
  private personNamed(typed: string, authors = false): { person?: UserInfo; sharedBy: number } {
    const byId = new Map(this.people().map((person) => [person.id, person]));
    if (authors) {
      for (const model of this.rooms.value)
        for (const message of model.messages.value)
          if (message.from.id !== this.me.id && !byId.has(message.from.id))
            byId.set(message.from.id, message.from);
    }
    const people = [...byId.values()];
    const named = people.filter((p) => nameKey(p.name) === nameKey(typed));
    const person = people.find((p) => p.id === typed) ?? (named.length === 1 ? named[0] : undefined);
    return person ? { person, sharedBy: named.length } : { sharedBy: named.length };
  }

  /**
   * A room list entry after a system event of its room, seen live in the room or as its activity: its name, topic,
   * archived state, and this user's role and mute. Changes and returns `updated`, the caller's fresh copy.
   */
  private withEvent(updated: RoomSummary, event: SystemEvent): RoomSummary {
    const mine = event.user?.id === this.me.id;
    if (event.type === 'renamed' && event.name) updated.name = event.name;
    if (event.type === 'topic') updated.topic = event.topic ?? '';
    if (event.type === 'archived') updated.archived = true;
    if (event.type === 'unarchived') updated.archived = false;
    if (event.type === 'role' && mine && event.role) updated.role = event.role;
    if (event.type === 'muted' && mine) updated.muted = true;
    if (event.type === 'unmuted' && mine) updated.muted = false;
    return updated;
  }

  /** The display name of a user this client knows of (see {@link people}); their id otherwise. */
  nameOf(userId: string): string {
    return this.people().find((person) => person.id === userId)?.name || userId;
  }

  /** A user's display name as a room shows it: this user's, an author's of its messages, else {@link nameOf}. */
  nameIn(room: RoomModel, userId: string): string {
    if (userId === this.me.id) return this.me.name;
    const messages = room.messages.value;
    for (let i = messages.length - 1; i >= 0; i -= 1)
      if (messages[i]?.from.id === userId) return (messages[i] as ShownMessage).from.name;
    return this.nameOf(userId);
  }

  /** A moderation action on a member of a room. */
  moderate(
    room: string,
    user: string,
    action: 'kick' | 'ban' | 'unban' | 'mute' | 'unmute' | Role,
    choice: { reason?: string; until?: number } = {},
  ): Promise<unknown> {
    const client = this.client;
    const work: Record<string, () => Promise<void>> = {
      kick: () => client.kick(room, user, choice.reason),
      ban: () => client.ban(room, user, choice),
      unban: () => client.unban(room, user),
      mute: () => client.mute(room, user, choice.until),
      unmute: () => client.unmute(room, user),
      owner: () => client.setRole(room, user, 'owner'),
      admin: () => client.setRole(room, user, 'admin'),
      member: () => client.setRole(room, user, 'member'),
    };
    return this.act(work[action] as () => Promise<void>);
  }

  /** The first page of a room's pending invitations (those who may invite see them in the members panel). */
  async roomInvitations(room: string): Promise<{ invitations: RoomInvitationSummary[]; next?: string }> {
    return this.client.invitations(room, { limit: 100 });
  }

  /** A page of the pending invitations this user gave, in every room (the sidebar lists them, to withdraw). */
  async sentInvitations(
    after?: SentInvitationsCursor,
  ): Promise<{ invitations: SentInvitationSummary[]; next?: SentInvitationsCursor }> {
    return this.client.sentInvitations({ ...(after ? { after } : {}), limit: 100 });
  }

  /** Withdraws a pending invitation: it leaves the invited person's room list on every device. */
  uninvite(room: string, user: string): Promise<unknown> {
    return this.act(() => this.client.uninvite(room, user), `Invitation of ${this.nameOf(user)} withdrawn`);
  }

  /** A room's incoming webhooks (its moderators see them in its settings). */
  webhooks(room: string): Promise<WebhookSummary[]> {
    return this.client.webhooks(room);
  }

  /** Adds an incoming webhook: its full address (shown once), or undefined when refused (the notice says why). */
  async createWebhook(room: string, name: string): Promise<string | undefined> {
    const made = await this.act(() => this.client.createWebhook(room, name), `Webhook ${name.trim()} added`);
    return made && `${location.origin}${made.path}`;
  }

  /** Removes an incoming webhook: its address posts no more. */
  deleteWebhook(room: string, hook: WebhookSummary): Promise<unknown> {
    return this.act(() => this.client.deleteWebhook(room, hook.id), `Webhook ${hook.name} removed`);
  }

  /** The first page of a room's bans in force (its moderators lift them from the members panel). */
  async bans(room: string): Promise<{ bans: BanSummary[]; next?: string }> {
    return this.client.bans(room, { limit: 100 });
  }

  /**
   * A page of a room's members. A first page that is the whole list also corrects the room list's member count
   * (the list's count is from when it was read; joins since are in the room's log only when announced).
   */
  async members(room: string, after?: string): Promise<{ members: MemberSummary[]; next?: string }> {
    const page = await this.client.members(room, { ...(after !== undefined ? { after } : {}), limit: 100 });
    const entry = this.listed(room);
    if (after === undefined && page.next === undefined && entry && entry.memberCount !== page.members.length)
      this.upsertListed({ ...entry, memberCount: page.members.length });
    return page;
  }

  /** A page of public rooms. */
  publicRooms(): Promise<RoomSummary[]> {
    return this.client.publicRooms({ limit: 100 }).then((page) => page.rooms);
  }

  /** The people who can be mentioned in a room: who is online there, and its members (the first 100). */
  mentionable(room: string): UserInfo[] {
    const byId = new Map<string, UserInfo>();
    for (const user of this.room(room)?.users.value ?? []) byId.set(user.id, user);
    for (const user of this.listed(room)?.members ?? []) byId.set(user.id, user);
    for (const user of this.knownMembers.get(room) ?? []) if (user.name) byId.set(user.id, user);
    byId.delete(this.me.id);
    return [...byId.values()];
  }

  /**
   * Everyone this client knows of: who is online in its open rooms, the people of its direct rooms and the members
   * it loaded. Whom an invitation can name without knowing their id.
   */
  people(): UserInfo[] {
    const byId = new Map<string, UserInfo>();
    for (const model of this.rooms.value) for (const user of model.users.value) byId.set(user.id, user);
    for (const entry of this.roomList.value) for (const user of entry.members ?? []) byId.set(user.id, user);
    for (const members of this.knownMembers.values())
      for (const user of members) if (user.name) byId.set(user.id, user);
    byId.delete(this.me.id);
    return [...byId.values()];
  }

  /**
   * Sends a poll to the current room: the question and its options, numbered, each number a reaction of the user's
   * own under it, so that voting is reacting (at most 10 options).
   */
  sendPoll(question: string, options: string[]): void {
    const room = this.current.value;
    const model = room ? this.room(room) : undefined;
    if (!room || !model) return;
    const numbered = options.slice(0, POLL_NUMBERS.length);
    const text = [`📊 **${question}**`, ...numbered.map((option, i) => `${POLL_NUMBERS[i]} ${option}`)].join(
      '\n',
    );
    this.sendNew(model, room, text, [], {}, async (offset) => {
      // One after another, so that they show in the options' order.
      for (const emoji of POLL_NUMBERS.slice(0, numbered.length)) {
        await this.act(() => this.client.react(room, offset, emoji));
      }
    });
  }

  /** Sends to the current room (a reply when one is being written); shows at once as pending, then sent. */
  send(text: string): void {
    const room = this.current.value;
    const model = room ? this.room(room) : undefined;
    if (!room || !model) return;
    const chosen = this.attachmentsOf(room);
    // Files go with a new message only, once every one of them is uploaded.
    const files = this.editing.value ? [] : chosen.flatMap((a) => (a.file ? [a.file] : []));
    if (files.length > 0 && files.length !== chosen.length) return;
    if (text.trim() === '' && files.length === 0) return;
    const editing = this.editing.value;
    if (editing?.offset !== undefined) {
      this.editing.value = null;
      void this.act(() => this.client.edit(room, editing.offset as number, text));
      return;
    }
    const replyTo = this.replyingTo.value?.offset;
    this.replyingTo.value = null;
    this.sendNew(model, room, text, files, replyTo !== undefined ? { replyTo } : {});
  }

  /**
   * Opens the thread of a message of the open room beside the conversation, reading its newest replies (those
   * already here, heard live, stay).
   */
  async openThread(root: number): Promise<void> {
    const room = this.current.value;
    const model = room ? this.room(room) : undefined;
    if (!room || !model) return;
    this.thread.value = { room, root, hasMore: false, loading: true };
    await this.loadReplies(model, root, undefined);
  }

  /** Reads the page of the open thread's replies before the oldest shown. */
  async loadOlderReplies(): Promise<void> {
    const open = this.thread.value;
    const model = open ? this.room(open.room) : undefined;
    if (!open || !model || open.loading || !open.hasMore) return;
    const oldest = this.repliesOf(model, open.root).find((m) => m.offset !== undefined)?.offset;
    this.thread.value = { ...open, loading: true };
    await this.loadReplies(model, open.root, oldest);
  }

  private async loadReplies(model: RoomModel, root: number, before: number | undefined): Promise<void> {
    try {
      const page = await this.client.history(model.name, {
        thread: root,
        limit: PAGE,
        ...(before !== undefined ? { before } : {}),
      });
      batch(() => {
        this.merge(model, page.messages);
        const open = this.thread.value;
        // The room's pages read here from before the root hold every reply (they follow it): none is older.
        const all = model.pagedFrom !== undefined && model.pagedFrom <= root;
        if (open?.room === model.name && open.root === root)
          this.thread.value = { ...open, hasMore: page.hasMore && !all, loading: false };
      });
      this.readOpenThread();
    } catch (error) {
      this.notice.value = (error as Error).message;
      const open = this.thread.value;
      if (open?.root === root) this.thread.value = { ...open, loading: false };
    }
  }

  /** Closes the thread shown beside the conversation. */
  closeThread(): void {
    this.thread.value = null;
  }

  /** A thread's replies among a room's messages (this client's pending ones last), oldest first. */
  repliesOf(model: RoomModel, root: number): ShownMessage[] {
    return model.messages.value.filter((m) => threadOf(m) === root);
  }

  /**
   * Sends a reply in the open thread (`broadcast`: also to the room, shown in its timeline too), with the files chosen in its box: shown at once as pending, then sent (as
   * {@link send} sends).
   */
  sendInThread(text: string, broadcast = false): void {
    const open = this.thread.value;
    const model = open ? this.room(open.room) : undefined;
    if (!open || !model) return;
    const box = threadBox(open.room, open.root);
    const files = this.readyFiles(box);
    if (!files || (text.trim() === '' && files.length === 0)) return;
    this.sendNew(model, box, text, files, { thread: open.root, ...(broadcast ? { broadcast } : {}) });
  }

  /**
   * A new message of a room's box or a thread's (`box`): shown at once as pending with its files (the box's taken
   * out), then sent; `@Name` of someone in the room mentions them.
   */
  private sendNew(
    model: RoomModel,
    box: string,
    text: string,
    files: FileRef[],
    place: { replyTo?: number; thread?: number; broadcast?: boolean },
    onSent?: (offset: number) => void,
  ): void {
    const { mentions, mentionsRoom } = this.mentionsIn(model.name, text, place);
    const cid = crypto.randomUUID();
    // With files, blank text is no text (the server takes "" beside files, not white space).
    const body = files.length > 0 && text.trim() === '' ? '' : text;
    const shown: ShownMessage = {
      key: cid,
      cid,
      from: this.me,
      text: body,
      ts: Date.now(),
      status: 'pending',
      mine: true,
      ...(files.length > 0 ? { files } : {}),
      // Re-sent after a reconnect with the same cid by the SDK: published once, whatever happens.
      extra: {
        ...place,
        ...(mentions.length ? { mentions } : {}),
        ...(mentionsRoom ? { mentionsRoom } : {}),
        ...(files.length > 0 ? { files: files.map((file) => file.id) } : {}),
      },
    };
    model.messages.value = [...model.messages.value, shown];
    if (files.length > 0) this.clearAttachments(box, false);
    if (onSent) this.afterSent.set(cid, onSent);
    this.deliver(model, shown);
  }

  /** Who a text sent to a room mentions: people by `@Name` (at most 20), and everyone by `@room`. */
  private mentionsIn(
    room: string,
    text: string,
    place: { thread?: number; broadcast?: boolean },
  ): { mentions: string[]; mentionsRoom: boolean } {
    const mentions = this.mentionable(room)
      .filter((u) => text.includes(`@${u.name}`))
      .map((u) => u.id)
      .slice(0, 20);
    // `@room` in a room of members, unless the message stays in a thread: a mention of everyone in it.
    const mentionsRoom =
      ROOM_MENTION.test(text) &&
      this.listed(room) !== undefined &&
      (!place.thread || place.broadcast === true);
    return { mentions, mentionsRoom };
  }

  /**
   * Schedules the current room's message box's text to be sent at `at` (a reply when one is being written), with its
   * mentions; resolves to whether the server took it (the box is then emptied by the caller).
   */
  async scheduleMessage(text: string, at: number): Promise<boolean> {
    const room = this.current.value;
    if (!room || text.trim() === '') return false;
    const replyTo = this.replyingTo.value?.offset;
    const { mentions, mentionsRoom } = this.mentionsIn(room, text, {});
    const done = await this.scheduled.schedule(room, text, at, {
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(mentions.length ? { mentions } : {}),
      ...(mentionsRoom ? { mentionsRoom } : {}),
    });
    if (done) this.replyingTo.value = null;
    return done;
  }

  /**
   * Takes a scheduled message back to edit: it is no longer scheduled, and its text is in its room's box (which it
   * replaces), the room open.
   */
  async editScheduled(item: ScheduledMessage): Promise<void> {
    if (!(await this.scheduled.remove(item.id))) return;
    this.setDraft(item.room, item.text);
    this.draftPut.value += 1;
    this.open(item.room);
  }

  /**
   * Quotes a message in its room's box: its text as `> ` lines (a forward's: what it passes on, when it says
   * nothing of its own), after what the box holds, then a line to answer on.
   */
  quote(message: ChatMessage): void {
    const text = message.text === '' && message.forwarded ? message.forwarded.text : message.text;
    if (text === '') return;
    const quoted = text
      .split('\n')
      .map((line) => (line === '' ? '>' : `> ${line}`))
      .join('\n');
    const draft = this.draftOf(message.room);
    this.setDraft(message.room, `${draft === '' || draft.endsWith('\n') ? draft : `${draft}\n`}${quoted}\n`);
    this.draftPut.value += 1;
  }

  /** The files chosen in a message box, once every one is uploaded (undefined while one is not). */
  private readyFiles(box: string): FileRef[] | undefined {
    const chosen = this.attachmentsOf(box);
    const files = chosen.flatMap((a) => (a.file ? [a.file] : []));
    return files.length === chosen.length ? files : undefined;
  }

  /** Replaces the text of one of this user's messages of the open room (a thread's reply, edited where it is shown). */
  editMessage(offset: number, text: string): Promise<unknown> {
    const room = this.current.value;
    return room && text.trim() !== ''
      ? this.act(() => this.client.edit(room, offset, text))
      : Promise.resolve();
  }

  /** The files chosen for the next message of a room's box, or a thread's ({@link threadBox}). */
  attachmentsOf(room: string): Attachment[] {
    return this.attachments.value[room] ?? [];
  }

  /**
   * Uploads files to go with the next message of a room (a pick, a paste, a drop), or of a thread's box
   * ({@link threadBox}): each shows with its progress, and the message can be sent once all are uploaded. One the
   * server would refuse for its size is refused here.
   */
  attach(room: string, chosen: File[]): void {
    const max = this.maxFileBytes.value;
    for (const file of chosen) {
      const attachment: Attachment = {
        key: crypto.randomUUID(),
        name: file.name || 'file',
        size: file.size,
        sent: 0,
        status: 'uploading',
        abort: new AbortController(),
      };
      if (file.type.startsWith('image/')) attachment.preview = URL.createObjectURL(file);
      if (this.attachmentsOf(room).length >= this.maxFilesPerMessage) {
        attachment.status = 'failed';
        attachment.error = `at most ${this.maxFilesPerMessage} files per message`;
      } else if (file.size === 0 || file.size > max) {
        attachment.status = 'failed';
        attachment.error = file.size === 0 ? 'the file is empty' : `larger than ${sizeOf(max)}`;
      }
      this.setAttachments(room, [...this.attachmentsOf(room), attachment]);
      if (attachment.status === 'failed') continue;
      this.client
        .upload(roomOfBox(room), file, {
          name: attachment.name,
          signal: attachment.abort.signal,
          onProgress: (sent) => this.patchAttachment(room, attachment.key, { sent }),
        })
        .then(
          (uploaded) =>
            this.patchAttachment(room, attachment.key, { status: 'ready', file: uploaded, sent: file.size }),
          (error: ParleyError) => {
            if (error.code !== 'cancelled')
              this.patchAttachment(room, attachment.key, { status: 'failed', error: error.message });
          },
        );
    }
  }

  /** Takes a file back from the next message (stopping its upload). */
  detach(room: string, key: string): void {
    const attachment = this.attachmentsOf(room).find((a) => a.key === key);
    if (!attachment) return;
    attachment.abort.abort();
    if (attachment.preview) URL.revokeObjectURL(attachment.preview);
    this.setAttachments(
      room,
      this.attachmentsOf(room).filter((a) => a.key !== key),
    );
  }

  /** Empties a room's attachments (sent: the previews go; abandoned: uploads stop too). */
  private clearAttachments(room: string, abandon: boolean): void {
    for (const attachment of this.attachmentsOf(room)) {
      if (abandon) attachment.abort.abort();
      if (attachment.preview) URL.revokeObjectURL(attachment.preview);
    }
    this.setAttachments(room, []);
  }

  private setAttachments(room: string, list: Attachment[]): void {
    const next = { ...this.attachments.value };
    if (list.length === 0) delete next[room];
    else next[room] = list;
    this.attachments.value = next;
  }

  private patchAttachment(room: string, key: string, patch: Partial<Attachment>): void {
    const list = this.attachmentsOf(room);
    if (!list.some((a) => a.key === key)) return;
    this.setAttachments(
      room,
      list.map((a) => (a.key === key ? { ...a, ...patch } : a)),
    );
  }

  /** Sends a shown message (again, after a failure: the same cid, so it is never published twice). */
  private deliver(model: RoomModel, shown: ShownMessage): void {
    const { cid, text } = shown;
    this.client.send(model.name, text, cid, shown.extra ?? {}).then(
      (ack) => {
        this.degraded.value = null;
        this.update(model, cid, { status: 'sent', key: ack.id, offset: ack.offset, ts: ack.ts });
        this.afterSent.get(cid)?.(ack.offset);
        this.afterSent.delete(cid);
        // A mute with an end has ended by itself (no event says so).
        this.setMuted(model.name, false);
      },
      (error: ParleyError) => {
        if (error.code === 'unavailable') this.enterDegraded(error.message);
        if (error.code === 'muted') this.setMuted(model.name, true);
        this.update(model, cid, { status: 'failed', error: error.message });
      },
    );
  }

  /** Records whether the user is muted in a listed room (the composer says so). */
  private setMuted(room: string, muted: boolean): void {
    const entry = this.listed(room);
    if (entry && (entry.muted === true) !== muted) this.upsertListed({ ...entry, muted });
  }

  /** Tries a failed message again, with its client id (published at most once whatever happened before). */
  retry(message: ShownMessage): void {
    const room = this.current.value;
    const model = room ? this.room(room) : undefined;
    if (!model || message.status !== 'failed') return;
    const pending: ShownMessage = { ...message, status: 'pending' };
    delete pending.error;
    model.messages.value = model.messages.value.map((m) => (m === message ? pending : m));
    this.deliver(model, pending);
  }

  /** Drops a failed message from the screen (it was never stored). */
  discard(message: ShownMessage): void {
    const model = this.current.value ? this.room(this.current.value) : undefined;
    if (model) model.messages.value = model.messages.value.filter((m) => m !== message);
  }

  /**
   * The server said it cannot store messages now: show it, and ask its readiness check every few seconds until it
   * is ready again (nothing else would tell: a chat with nothing to send sends nothing).
   */
  private enterDegraded(reason: string): void {
    this.degraded.value = reason;
    if (this.degradedProbe) return;
    this.degradedProbe = setInterval(() => {
      fetch('/readyz', { cache: 'no-store' }).then(
        (response) => {
          if (response.ok) this.leaveDegraded();
        },
        () => {},
      );
    }, DEGRADED_PROBE_MS);
  }

  private leaveDegraded(): void {
    this.degraded.value = null;
    clearInterval(this.degradedProbe);
    this.degradedProbe = undefined;
  }

  /** Closes the connection and stops every timer of the store (signing out). */
  close(): void {
    this.leaveDegraded();
    this.client.close();
  }

  /** Deletes a message (one's own, or anyone's for a moderator). */
  deleteMessage(offset: number): Promise<unknown> {
    const room = this.current.value;
    return room ? this.act(() => this.client.deleteMessage(room, offset)) : Promise.resolve();
  }

  /** Adds this user's reaction, or takes it back when it is there. */
  toggleReaction(message: ShownMessage, emoji: string): Promise<unknown> {
    const room = this.current.value;
    if (!room || message.offset === undefined) return Promise.resolve();
    const offset = message.offset;
    const mine = message.message?.reactions?.find((r) => r.emoji === emoji)?.users.includes(this.me.id);
    return this.act(() =>
      mine ? this.client.unreact(room, offset, emoji) : this.client.react(room, offset, emoji),
    );
  }

  /**
   * The user's newest message in a room that can still be edited (stored, not deleted, not a system event): the
   * one Up edits from an empty composer, as in other chats. None on a server that keeps no rooms (no edits there).
   */
  lastEditable(room: string): ShownMessage | undefined {
    if (!this.groupChat.value) return undefined;
    const messages = this.room(room)?.messages.value ?? [];
    for (let i = messages.length - 1; i >= 0; i -= 1) {
      const m = messages[i] as ShownMessage;
      if (
        m.mine &&
        m.status === 'sent' &&
        m.offset !== undefined &&
        !m.event &&
        !m.message?.deleted &&
        threadOf(m) === undefined
      )
        return m;
    }
    return undefined;
  }

  /** Whether this user may delete the message: their own, or as the room's owner or admin. */
  mayDelete(message: ShownMessage): boolean {
    return message.mine || (this.current.value !== null && this.moderates(this.current.value));
  }

  /** Whether this user may pin and unpin in a room: a member not muted, in a room not archived (pinning is sending). */
  mayPin(room: string): boolean {
    const entry = this.listed(room);
    return this.groupChat.value && entry !== undefined && !entry.archived && !entry.muted;
  }

  /** Whether this user is an owner or an admin of the room (the server checks every action again). */
  moderates(room: string): boolean {
    const role = this.roleIn(room);
    return role === 'owner' || role === 'admin';
  }

  /**
   * Searches messages by their words and the filters typed among them (`from:`, `in:`, `has:`, `before:`, `after:`,
   * `on:`: {@link parseSearch}), in `room` or in every room of the user, or in the room `in:` names (docs/protocol.md,
   * "Finding messages"); the results replace the last search's, and the search panel opens.
   */
  searchMessages(query: string, room?: string): Promise<void> {
    this.searchOpened.value += 1;
    const typed = parseSearch(query);
    const words = searchWords(typed.words);
    const filters: SearchFilters = {};
    const labels: string[] = [];
    const problems = typed.problem ? [typed.problem] : [];
    let where = room;
    if (typed.in !== undefined) {
      where = this.roomNamed(typed.in);
      if (where === undefined) problems.push(`None of your rooms is called ${typed.in}`);
      else labels.push(`In ${this.title(where)}`);
    }
    if (typed.from !== undefined) {
      const mine = ['me', nameKey(this.me.name)].includes(nameKey(typed.from)) || typed.from === this.me.id;
      const { person, sharedBy } = mine
        ? { person: this.me, sharedBy: 1 }
        : this.personNamed(typed.from, true);
      if (!person && sharedBy > 1)
        problems.push(`${sharedBy} people are called ${typed.from}: use their user id`);
      else if (!person && !isUserId(typed.from)) problems.push(`Nobody here is called ${typed.from}`);
      else {
        // Someone this client has not met may still be found by their user id.
        filters.from = person?.id ?? typed.from;
        labels.push(person ? `From ${person.name}` : `From user id ${typed.from}`);
      }
    }
    if (typed.has) {
      filters.has = typed.has;
      labels.push(typed.has === 'file' ? 'With files' : 'With links');
    }
    const date = (ms: number) => new Date(ms).toLocaleDateString(undefined, { dateStyle: 'medium' });
    if (typed.since !== undefined) {
      filters.since = typed.since;
      labels.push(`Since ${date(typed.since)}`);
    }
    if (typed.until !== undefined) {
      filters.until = typed.until;
      labels.push(`Before ${date(typed.until)}`);
    }
    if (words.length === 0 && Object.keys(filters).length === 0 && problems.length === 0) {
      problems.push('Type words to find, or a filter such as from:@name');
    }
    const search = {
      query,
      words,
      filters,
      labels,
      ...(where !== undefined ? { room: where } : {}),
      messages: [],
    };
    if (problems.length > 0) {
      this.searchId += 1;
      this.search.value = { ...search, busy: false, problem: problems.join('. ') };
      return Promise.resolve();
    }
    return this.runSearch(search);
  }

  /** The room of the user's `typed` names: its id, or its name or title (any case); undefined when none is. */
  private roomNamed(typed: string): string | undefined {
    const key = nameKey(typed);
    const ids = [
      ...new Set([...this.roomList.value.map((entry) => entry.id), ...this.rooms.value.map((m) => m.name)]),
    ];
    return (
      ids.find((id) => id === typed) ??
      ids.find(
        (id) =>
          nameKey(id) === key || nameKey(this.title(id)) === key || nameKey(this.title(id)) === `#${key}`,
      )
    );
  }

  /** The next page of the current search, after the results shown. */
  moreResults(): Promise<void> {
    const current = this.search.value;
    if (!current?.next || current.busy) return Promise.resolve();
    const { next, busy: _b, problem: _p, ...shown } = current;
    return this.runSearch(shown, next);
  }

  /** Asks for the page after `before` (none: the first) and adds it to `search`'s results; a late answer is dropped. */
  private async runSearch(
    search: Omit<SearchState, 'busy' | 'next' | 'problem'>,
    before?: string,
  ): Promise<void> {
    this.search.value = { ...search, busy: true };
    this.searchId += 1;
    const searchId = this.searchId;
    try {
      const page = await this.client.search(search.words.join(' '), {
        ...search.filters,
        ...(search.room !== undefined ? { room: search.room } : {}),
        ...(before !== undefined ? { before } : {}),
      });
      if (searchId !== this.searchId) return;
      this.search.value = {
        ...search,
        messages: [...search.messages, ...page.messages],
        busy: false,
        ...(page.next !== undefined ? { next: page.next } : {}),
      };
    } catch (error) {
      if (searchId !== this.searchId) return;
      // The page asked for can be asked again.
      this.search.value = {
        ...search,
        busy: false,
        problem: (error as Error).message,
        ...(before !== undefined ? { next: before } : {}),
      };
    }
  }

  /** Closes the search: its results go. */
  clearSearch(): void {
    this.searchId += 1;
    this.search.value = null;
  }

  /** Reads the threads this user follows (every room, every page): their list and their counts. */
  async loadThreads(): Promise<void> {
    if (!this.groupChat.value) return;
    try {
      const list = await this.client.threads();
      batch(() => {
        this.followedThreads.value = list;
        this.keepFollows(
          list.map(({ root, ...counts }) => ({ room: root.room, thread: root.offset, ...counts })),
        );
      });
      this.readOpenThread();
    } catch {
      // Not readable now (disconnected, or a server that keeps no rooms): the counts shown stay.
    }
  }

  /** Reads the counts of the threads this user follows (no root read): the Threads badge, at each welcome. */
  private async loadThreadCounts(): Promise<void> {
    if (!this.groupChat.value) return;
    try {
      this.keepFollows(await this.client.threadCounts());
      // Shown already (opened before this connection): read again, with the counts it now has.
      if (this.threadsOpen.value) void this.loadThreads();
      this.readOpenThread();
    } catch {
      // Not readable now (disconnected, or a server that keeps no rooms): the counts shown stay.
    }
  }

  /** The followed threads' counts as the server read them (all of them: those not among them are not followed). */
  private keepFollows(list: ReadonlyArray<FollowedThreadCounts>): void {
    this.follows.value = new Map(
      list.map(({ room, thread, read, unread, mentions }) => [
        followKey(room, thread),
        { read, unread, mentions },
      ]),
    );
  }

  /** Whether this user follows the thread of the message at `root` of a room (as the server last said). */
  isFollowing(room: string, root: number): boolean {
    return this.follows.value.has(followKey(room, root));
  }

  /** Follows a thread, or stops following it (every device hears of it: `thread_state`). */
  async setFollowing(room: string, root: number, follow: boolean): Promise<void> {
    await this.act(async () => {
      await this.client.followThread(room, root, follow);
      return true;
    });
  }

  /**
   * A followed thread changed for this user (followed, read, a reply came), here or on another device: its counts;
   * the list, once read, follows (a thread new to it is read with the list again).
   */
  private onThreadState(state: ThreadStateFrame): void {
    const key = followKey(state.room, state.thread);
    const follows = new Map(this.follows.value);
    const known = follows.get(key);
    if (state.following)
      follows.set(key, { read: state.read, unread: state.unread, mentions: state.mentions });
    else follows.delete(key);
    this.follows.value = follows;
    const list = this.followedThreads.value;
    if (list) {
      const at = list.findIndex((t) => followKey(t.root.room, t.root.offset) === key);
      if (!state.following) this.followedThreads.value = list.filter((_, i) => i !== at);
      // A thread newly followed: read with the list when it is shown (when it opens otherwise), not at every follow.
      else if (at < 0) {
        if (this.threadsOpen.value) void this.loadThreads();
      } else {
        const entry = {
          ...(list[at] as FollowedThread),
          read: state.read,
          unread: state.unread,
          mentions: state.mentions,
        };
        // More unread than before: a reply came, and the newest reply's thread goes first.
        const moved = known !== undefined && state.unread > known.unread;
        const rest = list.filter((_, i) => i !== at);
        this.followedThreads.value = moved ? [entry, ...rest] : list.map((t, i) => (i === at ? entry : t));
      }
    }
    this.readOpenThread();
  }

  /**
   * The open thread, seen (the tab shown): marked read up to its newest reply here, on every device (if followed).
   */
  readOpenThread(): void {
    const open = this.thread.value;
    const model = open ? this.room(open.room) : undefined;
    if (!open || !model || document.hidden) return;
    const key = followKey(open.room, open.root);
    const newest = this.repliesOf(model, open.root).reduce((max, m) => Math.max(max, m.offset ?? 0), 0);
    // Also before the followed threads are known (just connected): the server keeps no marker of one not followed.
    const read = Math.max(this.follows.value.get(key)?.read ?? 0, this.threadReadSent.get(key) ?? 0);
    if (newest <= read) return;
    this.threadReadSent.set(key, newest);
    this.client.markThreadRead(open.room, open.root, newest);
  }

  /** Reads the user's saved messages (every room), for the sidebar's list and the messages' Save/Unsave. */
  async loadSaved(): Promise<void> {
    try {
      this.saved.value = await this.client.saved();
    } catch {
      // Not readable now (disconnected): the list shown stays until the next read.
    }
  }

  /** Whether the user saved the message at `offset` of a room (as last read; unknown until the list was read). */
  isSaved(room: string, offset: number): boolean {
    return this.savedPlaces.value.has(`${room} ${offset}`);
  }

  /**
   * Saves a message for this user, or unsaves it. The list, once read, follows here (the server's list is changed
   * the same way: a message saved again keeps its place), not read again whole (up to `maxSavedPerUser` messages).
   */
  async setSaved(message: ChatMessage, saved: boolean): Promise<void> {
    const { room, offset } = message;
    const done = await this.act(
      async () => {
        await (saved ? this.client.save(room, offset) : this.client.unsave(room, offset));
        return true;
      },
      saved ? 'Saved: in "Saved messages"' : undefined,
    );
    const list = this.saved.value;
    if (!done || !list) return;
    const others = list.filter((s) => s.message.room !== room || s.message.offset !== offset);
    if (!saved) this.saved.value = others;
    else if (others.length === list.length) this.saved.value = [{ message, savedAt: Date.now() }, ...list];
  }

  /**
   * Sets when to remind this user of a message (saving it), or takes the reminder off; the saved list, once read,
   * follows (read again: the server's entry says when).
   */
  async setReminder(message: ChatMessage, at: number | undefined): Promise<void> {
    const when =
      at === undefined ? '' : new Date(at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    const done = await this.act(
      async () => {
        await this.client.remind(message.room, message.offset, at);
        return true;
      },
      at === undefined ? 'Reminder removed' : `Reminder set for ${when}: in "Saved messages"`,
    );
    if (done && this.saved.value) await this.loadSaved();
  }

  /**
   * Forwards a message to `target` with `comment` (may be empty): the target is joined first when it is not open
   * (without switching to it), as the server takes a forward only into a joined room. Resolves whether it went.
   */
  async forward(message: ChatMessage, target: string, comment: string): Promise<boolean> {
    if (!this.room(target)) {
      await this.join(target, false);
      // A refused join took the room away again and said why.
      if (!this.room(target)) return false;
    }
    const sent = await this.act(
      () => this.client.forward(target, { room: message.room, offset: message.offset }, comment.trim()),
      `Forwarded to ${this.title(target)}`,
    );
    return sent !== undefined;
  }

  /** A reminder came due: said here and by a desktop notification (unless do not disturb); the saved list says it too. */
  private onReminder({ room, remindAt, message }: ReminderFrame): void {
    const text = summaryOf(message);
    this.notice.value = `Reminder: ${message.from.name} in ${this.title(room)}: ${text.slice(0, 120)}`;
    if (this.statusOf(this.me.id)?.availability !== 'dnd') {
      notify(
        `Reminder: ${message.from.name} in ${this.title(room)}`,
        text,
        room,
        () => void this.showMessage(room, message.offset),
      );
    }
    const list = this.saved.value;
    if (list) {
      this.saved.value = list.map((s) =>
        s.message.room === room && s.message.offset === message.offset
          ? { ...s, message, remindAt, remindedAt: Date.now() }
          : s,
      );
    }
  }

  /** Reads a stored room's pinned messages (when it is opened, and again when they change). */
  async loadPins(room: string): Promise<void> {
    const model = this.room(room);
    if (!model || !this.groupChat.value || !this.listed(room)) return;
    try {
      model.pins.value = await this.client.pins(room);
    } catch {
      // Not readable now (disconnected, or no longer a member): the pins shown stay until the next read.
    }
  }

  /** Whether the message at `offset` of a room is pinned (as last read). */
  isPinned(room: string, offset: number): boolean {
    return this.room(room)?.pins.value?.some((p) => p.message.offset === offset) ?? false;
  }

  /** Pins a message for everyone in its room, or unpins it; the room's event brings the pins back read again. */
  async setPinned(room: string, offset: number, pinned: boolean): Promise<void> {
    await this.act(() => (pinned ? this.client.pin(room, offset) : this.client.unpin(room, offset)));
  }

  /**
   * Opens the message's room (joining it if needed) and brings the message into view (see RoomModel.jump); a reply
   * in a thread (`thread`: its root) brings the root into view and opens the thread.
   */
  async showMessage(room: string, offset: number, thread?: number): Promise<void> {
    if (this.room(room)) this.select(room);
    else await this.join(room);
    const model = this.room(room);
    if (!model) return;
    model.jump.value = thread ?? offset;
    if (thread !== undefined) await this.openThread(thread);
  }

  /**
   * Shows the message at `offset` (a reply's original): loads history back to it when it is not loaded yet.
   * Resolves once it is in the list.
   */
  async reveal(model: RoomModel, offset: number): Promise<boolean> {
    for (let guard = 0; guard < 20; guard += 1) {
      if (model.messages.value.some((m) => m.offset === offset)) return true;
      const first = this.oldestShown(model);
      if (first === undefined || first <= offset) return false;
      const page = await this.client.history(model.name, {
        before: first,
        // Straight back to the original when one page reaches it, never more than the server's page maximum.
        limit: Math.min(Math.max(PAGE, first - offset), this.historyPageMax),
      });
      batch(() => {
        this.mergePage(model, page);
      });
      if (page.messages.length === 0) return false;
    }
    return false;
  }

  typing(): void {
    if (this.current.value) this.client.typing(this.current.value);
  }

  /**
   * A desktop notification (when turned on) for a message the user wants to hear of in its room: every message, or
   * those that name them (by default: every message of a direct room, mentions elsewhere), or none.
   */
  private notifyOf(room: string, from: string, text: string, mentioned: boolean): void {
    // Do not disturb means none, in every room, on every device (each hears the status).
    if (this.statusOf(this.me.id)?.availability === 'dnd') return;
    const level = this.notificationsOf(room);
    if (level === 'none' || (level === 'mentions' && !mentioned)) return;
    const direct = this.listed(room)?.kind === 'direct';
    notify(direct ? from : `${from} in ${this.title(room)}`, text, room, (id) => this.open(id));
  }

  /**
   * Loads the page of history before the first message shown, and the next ones while they bring nothing to show
   * (replies in threads only, actions): a list that did not grow gets no scroll to ask for more. A few at most.
   */
  async loadOlder(model: RoomModel): Promise<void> {
    if (model.loadingOlder.value || !model.hasMore.value) return;
    model.loadingOlder.value = true;
    try {
      const shown = this.timelineOf(model).length;
      for (let pages = 0; pages < 5 && model.hasMore.value; pages += 1) {
        const first = this.oldestShown(model);
        if (first === undefined) return;
        const page = await this.client.history(model.name, { before: first, limit: PAGE });
        batch(() => {
          this.mergePage(model, page);
        });
        if (this.timelineOf(model).length > shown) return;
      }
    } finally {
      model.loadingOlder.value = false;
    }
  }

  private async loadRecent(model: RoomModel): Promise<void> {
    const page = await this.client.history(model.name, { limit: PAGE });
    batch(() => {
      this.mergePage(model, page);
    });
    this.markSeen(model);
    // A page holds every entry of the log: in a room whose threads and reactions are busy, its few timeline
    // messages may not fill the view, and a list that does not scroll never asks for more. A few pages at most.
    for (let more = 0; more < 4 && model.hasMore.value && this.timelineOf(model).length < PAGE / 2; more += 1)
      await this.loadOlder(model);
  }

  /** Where the next older page of the room's history ends (see RoomModel.pagedFrom). */
  private oldestShown(model: RoomModel): number | undefined {
    return model.pagedFrom;
  }

  /** Takes a page of the room's history (not of a thread): its messages, whether more is older, where it starts. */
  private mergePage(model: RoomModel, page: { messages: ChatMessage[]; hasMore: boolean }): void {
    this.merge(model, page.messages);
    model.hasMore.value = page.hasMore;
    const first = page.messages[0]?.offset;
    if (first !== undefined) model.pagedFrom = Math.min(model.pagedFrom ?? first, first);
  }

  /** The room's messages shown in its conversation (not the replies in threads). */
  private timelineOf(model: RoomModel): ShownMessage[] {
    return model.messages.value.filter(inTimeline);
  }

  private onState(state: ConnectionState): void {
    const wasConnected = this.connection.value.status === 'connected';
    this.connection.value = state;
    if (wasConnected && state.status !== 'connected') {
      for (const model of this.rooms.value) model.shownAtDisconnect ??= model.messages.value.length;
    }
  }

  private onJoined(room: string, rejoin: boolean, recovered: boolean | undefined): void {
    const model = this.room(room);
    if (!model) return;
    if (!rejoin) {
      void this.loadRecent(model);
      return;
    }
    const before = model.shownAtDisconnect;
    model.shownAtDisconnect = undefined;
    if (recovered && before !== undefined) {
      const count = model.messages.value.length - before;
      const last = model.messages.value[before - 1]?.offset ?? 0;
      const text =
        count > 0 ? `Reconnected: ${count} missed message${count === 1 ? '' : 's'} recovered` : 'Reconnected';
      model.notices.value = [...model.notices.value, { afterOffset: last, text }];
    }
  }

  /**
   * The server lost the room's history (a new epoch): what was on screen stays, marked as from before the reset,
   * above what the room holds now; sends on their way or failed stay below (they can still go through). Counts
   * and markers of the old history no longer mean anything.
   */
  private onReset(room: string): void {
    const model = this.room(room);
    if (!model) return;
    batch(() => {
      const old = model.messages.value.filter((m) => m.status === 'sent');
      model.beforeReset.value = [...model.beforeReset.value, ...old];
      model.messages.value = model.messages.value.filter((m) => m.status !== 'sent');
      model.notices.value = [];
      model.dividerAfter.value = null;
      model.unread.value = 0;
      model.markedRead = 0;
      model.shownAtDisconnect = undefined;
      model.pagedFrom = undefined;
      this.forgetListCounts(room);
      const entry = this.listed(room);
      if (entry) {
        const { readOffset: _r, ...rest } = entry;
        this.roomList.value = this.roomList.value.map((r) =>
          r.id === room ? { ...rest, unread: 0, mentions: 0 } : r,
        );
      }
    });
    void this.loadRecent(model);
  }

  private onMessage(message: ChatMessage): void {
    const model = this.room(message.room);
    if (!model) return;
    this.merge(model, [message]);
    if (message.event?.type === 'pinned' || message.event?.type === 'unpinned')
      void this.loadPins(message.room);
    const mine = message.from.id === this.me.id;
    if (message.thread !== undefined && !message.broadcast) {
      // A reply in a thread is no unread message of the room, nor its preview; a mention in it is heard. One also
      // sent to the room is a message of the room (below).
      if (!mine) this.heardThreadReply(model, message);
      this.readOpenThread();
      return;
    }
    if (!mine && !message.event && (this.current.value !== message.room || document.hidden)) {
      model.unread.value += 1;
      const mentioned = mentionsUser(message, this.me.id);
      this.notifyOf(message.room, message.from.name, summaryOf(message), mentioned);
      if (mentioned) {
        this.countMention(message.room);
      }
    }
    this.markSeen(model);
    const entry = this.listed(message.room);
    if (entry) {
      const updated = { ...entry, activity: Math.max(entry.activity, message.ts) };
      // The newest message is the entry's last, as an `activity` frame makes it for a room not open here.
      if (message.offset > (entry.last?.offset ?? 0)) updated.last = lastOf(message);
      this.upsertListed(message.event ? this.withEvent(updated, message.event) : updated);
    }
  }

  /** One more mention of this user on a listed room's badge (until its counts come from the server again). */
  private countMention(room: string): void {
    this.listMentions.value = {
      ...this.listMentions.value,
      [room]: (this.listMentions.value[room] ?? 0) + 1,
    };
  }

  /**
   * Someone else's reply in a thread of an open room: unless the thread is open and seen here, a desktop notification
   * when it mentions this user or is in a thread they follow (docs/protocol.md, "Following threads"), within the
   * room's notification level; a mention is also counted on the room's badge.
   */
  private heardThreadReply(model: RoomModel, message: ChatMessage): void {
    const room = model.name;
    const open = this.thread.value;
    if (open?.room === room && open.root === message.thread && !document.hidden) return;
    const mentioned = mentionsUser(message, this.me.id);
    // As the server says; the first reply to this user's message makes them follow it, told just after the reply.
    const root = model.messages.value.find((m) => m.offset === message.thread)?.message;
    const follows =
      this.isFollowing(room, message.thread as number) ||
      (root?.from.id === this.me.id && root.replies?.count === 1);
    // A followed thread notifies as a mention does, unless the room is set to nothing (or the user is away: dnd).
    if (mentioned || follows) this.notifyOf(room, message.from.name, summaryOf(message), true);
    if (!mentioned || (this.current.value === room && !document.hidden)) return;
    this.countMention(room);
  }

  /**
   * Adds server messages in offset order, replacing this client's pending copies (matched by cid); an action entry
   * changes the message it names instead, and a message read again (history) replaces an older copy of itself. A
   * thread's reply also changes its root (applyThreadReply: not twice, by the root's rev).
   */
  private merge(model: RoomModel, messages: ChatMessage[]): void {
    let list = model.messages.value;
    for (const message of messages) {
      const root = message.thread;
      if (root !== undefined)
        list = list.map((m) =>
          m.offset === root && m.message ? this.shown(applyThreadReply(m.message, message)) : m,
        );
      if (message.action) {
        const target = message.action.target;
        list = list.map((m) =>
          m.offset === target && m.message ? this.shown(applyAction(m.message, message)) : m,
        );
        continue;
      }
      const shown = this.shown(message);
      const known = list.findIndex((m) => m.key === message.id);
      if (known >= 0) {
        // This client's own message acknowledged before it was delivered has no server copy yet; a copy read again
        // later (history) may be newer than the one shown.
        const copy = list[known]?.message;
        if (!copy || (message.rev ?? 0) > (copy.rev ?? 0))
          list = list.map((m, i) => (i === known ? shown : m));
        continue;
      }
      const mine = shown.mine;
      const pendingIndex = mine ? list.findIndex((m) => m.cid === message.cid && m.offset === undefined) : -1;
      if (pendingIndex >= 0) list = list.filter((_, i) => i !== pendingIndex);
      const at = list.findIndex((m) => m.offset === undefined || m.offset > message.offset);
      list = at < 0 ? [...list, shown] : [...list.slice(0, at), shown, ...list.slice(at)];
    }
    model.messages.value = list;
  }

  /** A stored message as the chat shows it. */
  private shown(message: ChatMessage): ShownMessage {
    const shown: ShownMessage = {
      key: message.id,
      cid: message.cid,
      offset: message.offset,
      from: message.from,
      text: message.text,
      ts: message.ts,
      status: 'sent',
      mine: message.from.id === this.me.id,
      message,
    };
    if (message.event) shown.event = message.event;
    if (mentionsUser(message, this.me.id)) shown.mentionsMe = true;
    return shown;
  }

  private update(model: RoomModel, cid: string, patch: Partial<ShownMessage>): void {
    const list = model.messages.value;
    const index = list.findIndex((m) => m.cid === cid && m.mine && m.offset === undefined);
    if (index < 0) return; // already replaced by the delivered message
    const updated = { ...(list[index] as ShownMessage), ...patch };
    const rest = list.filter((_, i) => i !== index);
    if (updated.offset === undefined) {
      model.messages.value = [...rest.slice(0, index), updated, ...rest.slice(index)];
      return;
    }
    if (rest.some((m) => m.key === updated.key)) {
      model.messages.value = rest;
      return;
    }
    const at = rest.findIndex((m) => m.offset === undefined || (m.offset ?? 0) > (updated.offset ?? 0));
    model.messages.value = at < 0 ? [...rest, updated] : [...rest.slice(0, at), updated, ...rest.slice(at)];
  }

  /** What was typed in a room's message box and not sent yet ('' for none). */
  draftOf(room: string): string {
    return this.drafts.get(room) ?? '';
  }

  /**
   * Keeps what was typed in a message box: for this tab (a reload keeps it), and a room's box (not a thread's) for the
   * user's other devices too, once typing pauses.
   */
  setDraft(room: string, text: string): void {
    this.keepDraft(room, text);
    if (this.groupChat.value && !room.includes('\u0000')) this.draftSync.changed(room, text);
  }

  /** Keeps a box's draft for this tab (a reload keeps it). */
  private keepDraft(room: string, text: string): void {
    if (text === '') this.drafts.delete(room);
    else this.drafts.set(room, text);
    if (this.me.id === '') return;
    try {
      sessionStorage.setItem(draftsKey(this.me.id), JSON.stringify([...this.drafts]));
    } catch {
      // Storage full or refused: the draft still lasts as long as the page.
    }
  }

  private saveRooms(): void {
    if (this.me.id === '') return;
    localStorage.setItem(`parley.rooms.${this.me.id}`, JSON.stringify(this.rooms.value.map((r) => r.name)));
  }
}

/** The numbers of a poll's options: each option's reaction. */
export const POLL_NUMBERS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣', '6️⃣', '7️⃣', '8️⃣', '9️⃣', '🔟'];

/** `@room` typed as a word of a message: a mention of everyone in the room. */
export const ROOM_MENTION = /(^|[^\p{L}\p{N}_@])@room(?![\p{L}\p{N}_])/iu;

/** The entry with a flag of the user's arrangement set (true) or absent, as the server lists it. */
function withFlag(entry: RoomSummary, flag: 'favorite' | 'hidden', on: boolean): RoomSummary {
  const changed = { ...entry };
  if (on) changed[flag] = true;
  else delete changed[flag];
  return changed;
}

/** A user's drafts kept for this tab, or none (nothing kept, or a damaged entry). */
function loadDrafts(userId: string): Map<string, string> {
  try {
    const saved = JSON.parse(sessionStorage.getItem(draftsKey(userId)) ?? '[]') as unknown;
    if (Array.isArray(saved))
      return new Map(
        saved.filter((e): e is [string, string] => typeof e?.[0] === 'string' && typeof e[1] === 'string'),
      );
  } catch {
    // A damaged entry: no drafts.
  }
  return new Map();
}

/** A display name as people type it (any case): two names with the same key are the same name. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** Whether this browser ever saved which rooms this user had open (an empty list counts: they closed them all). */
function hasSavedRooms(userId: string): boolean {
  return localStorage.getItem(`parley.rooms.${userId}`) !== null;
}

/** Rooms this user had open in this browser last time. */
export function savedRooms(userId: string): string[] {
  try {
    const rooms = JSON.parse(localStorage.getItem(`parley.rooms.${userId}`) ?? '[]') as unknown;
    return Array.isArray(rooms) ? rooms.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
