import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ChatMessage, isWebhookSender, type SystemEvent } from '../../../client/index.js';
import { dayKey, dayOf, summaryOf, timeOf, untilOf } from '../format.js';
import { EditedMark, EditHistory } from './EditHistory.js';
import { FormattedText } from './FormattedText.js';
import { ForwardDialog } from './ForwardDialog.js';
import { ForwardedCard } from './ForwardedCard.js';
import { LaterTimes } from './LaterTimes.js';
import { LinkPreviewCard } from './LinkPreviewCard.js';
import { MessageFiles } from './MessageFiles.js';
import { ReactionChips, ReactionPicker, SendFailure } from './MessageParts.js';
import { statusLine } from './StatusPicker.js';
import { EMOTE } from './slash-commands.js';
import { type ChatStore, inTimeline, type RoomModel, type ShownMessage, threadOf } from './store.js';

/** Messages of one sender closer than this are shown as one group (one avatar and name). */
const GROUP_GAP_MS = 5 * 60_000;

/** Up to two initials of a name (the avatar). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [words[0]];
  return letters
    .map((w) => (w ? [...w][0] : ''))
    .join('')
    .toUpperCase();
}

/** A colour per user, the same on every screen. */
function hueOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i += 1) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

export function Avatar({ id, name }: { id: string; name: string }) {
  return (
    <span class="avatar" aria-hidden="true" style={{ '--hue': String(hueOf(id)) }}>
      {initials(name) || '?'}
    </span>
  );
}

/** Who wrote a message and when: the head of a group. */
export function Sender({ store, message }: { store: ChatStore; message: ShownMessage }) {
  // The emoji of what the author says of themselves, as other chats show it beside a name (the line on hover).
  const status = store.statusOf(message.from.id);
  return (
    <>
      <button
        type="button"
        class="from"
        title={`${message.from.name} (${message.from.id})`}
        onClick={() => {
          store.personShown.value = message.from;
        }}
      >
        <bdi>{message.mine ? 'You' : message.from.name}</bdi>
      </button>
      {isWebhookSender(message.from.id) && (
        <span
          class="app-badge"
          title="Posted by an integration (an incoming webhook of this room), not a person"
        >
          app
        </span>
      )}
      {status?.emoji && (
        <span class="from-status" title={statusLine(status)}>
          {status.emoji}
        </span>
      )}
      <time dateTime={new Date(message.ts).toISOString()}>{timeOf(message.ts)}</time>
    </>
  );
}

/** A message's text, its link's preview and its files, or its tombstone once deleted. */
export function MessageText({ store, message }: { store: ChatStore; message: ShownMessage }) {
  if (message.message?.deleted)
    return (
      <div class="text" dir="auto">
        <em class="tombstone">Message deleted</em>
      </div>
    );
  const files = message.message?.files ?? message.files;
  // `/me waves`: an action, shown as its sender doing it.
  const emote = message.text.startsWith(EMOTE) && message.text.length > EMOTE.length;
  return (
    <>
      {emote ? (
        <div class="text emote" dir="auto">
          <bdi>{message.from.name}</bdi> <FormattedText text={message.text.slice(EMOTE.length)} />
        </div>
      ) : (
        message.text !== '' && (
          <div class="text" dir="auto">
            <FormattedText text={message.text} />
          </div>
        )
      )}
      {message.text !== '' && <LinkPreviewCard store={store} text={message.text} />}
      {files && <MessageFiles files={files} />}
      {message.message?.forwarded && <ForwardedCard store={store} forwarded={message.message.forwarded} />}
    </>
  );
}

/** A subtle mark for sending and sent; a failure is spelt out (with retry) elsewhere. */
function StateMark({ message, seen }: { message: ShownMessage; seen: boolean }) {
  if (seen) return <span class="state seen">Seen</span>;
  if (message.status === 'pending')
    return (
      <span class="state" role="img" title="Sending…" aria-label="sending">
        ◷
      </span>
    );
  if (message.status === 'sent' && message.mine)
    return (
      <span class="state" role="img" title="Sent" aria-label="sent">
        ✓
      </span>
    );
  return null;
}

/** A ban or a mute that ends by itself: its notice says when. */
const lasts = (event: SystemEvent) =>
  (event.type === 'banned' || event.type === 'muted') && event.until !== undefined;
/** A ban or mute whose end has passed (its notice offers no Unban). */
const ended = (event: SystemEvent) => event.until !== undefined && event.until <= Date.now();

/** Same sender, same day, close in time, nothing in between: shown under the previous one's avatar and name. */
function continues(previous: ShownMessage | undefined, message: ShownMessage): boolean {
  return (
    previous !== undefined &&
    !previous.event &&
    previous.from.id === message.from.id &&
    message.ts - previous.ts < GROUP_GAP_MS &&
    dayKey(previous.ts) === dayKey(message.ts)
  );
}

/** Under a thread's root: how many replies, from whom and when the newest came; opens the thread. */
function ThreadSummaryButton({
  store,
  room,
  message,
  open,
}: {
  store: ChatStore;
  room: RoomModel;
  message: ShownMessage;
  open: boolean;
}) {
  const replies = message.message?.replies;
  if (!replies) return null;
  return (
    <button
      type="button"
      class="thread-summary"
      aria-pressed={open}
      onClick={() => (open ? store.closeThread() : void store.openThread(message.offset as number))}
    >
      <span class="thread-avatars" aria-hidden="true">
        {replies.users.slice(0, 3).map((id) => (
          <Avatar key={id} id={id} name={store.nameIn(room, id)} />
        ))}
      </span>
      <span class="thread-count">
        {replies.count} {replies.count === 1 ? 'reply' : 'replies'}
      </span>
      <span class="muted small"> · last reply {timeOf(replies.last)}</span>
    </button>
  );
}

/** Where the reader left a room scrolled up (none: at the bottom), to come back to it from another room. */
const leftAt = new WeakMap<RoomModel, number>();

/**
 * The room's messages with day separators and notices. Sticks to the bottom while the reader is there; scrolling
 * to the top loads older history, keeping the view where it was. A room left scrolled up opens where it was left.
 */
export function MessageList({ store, room }: { store: ChatStore; room: RoomModel }) {
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const heightBefore = useRef(0);
  const all = room.messages.value;
  // The room's timeline: replies in threads are shown in their thread (ThreadPanel), under their root's summary;
  // one also sent to the room is shown here too.
  const messages = useMemo(() => all.filter(inTimeline), [all]);
  const openThread = store.thread.value;
  const shownEdits = store.shownEdits.value;
  const threadOfOffset = (offset: number) => {
    const found = all.find((m) => m.offset === offset);
    return found ? threadOf(found) : undefined;
  };
  // The statuses of the authors shown, asked for once each (the room's status frames keep them up to date).
  useEffect(() => store.wantStatuses(messages.map((m) => m.from.id)), [store, messages]);
  const notices = room.notices.value;
  const divider = room.dividerAfter.value;
  const [picking, setPicking] = useState<string | null>(null);
  // The message whose "Remind me" times are shown, if any.
  const [reminding, setReminding] = useState<string | null>(null);
  // The message being forwarded, if any.
  const [forwarding, setForwarding] = useState<ChatMessage | null>(null);
  // The message whose "More actions" are shown, if any.
  const [more, setMore] = useState<string | null>(null);
  // Messages that arrived below while the reader was scrolled up: a button says how many and goes down to them.
  const [below, setBelow] = useState(0);
  const lastKey = useRef<string | undefined>(undefined);
  /** The room the list shows now (a switch restores where the next one was left). */
  const shownRoom = useRef<RoomModel | undefined>(undefined);
  const toBottom = () => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setBelow(0);
  };
  const jumpTo = (offset: number, missing = 'The original message is no longer available') => {
    // A reply in a thread (a pinned one, say) is shown in its thread: the root comes into view, the thread opens.
    const root = threadOfOffset(offset);
    if (root !== undefined) {
      void store.openThread(root);
      jumpTo(root, missing);
      return;
    }
    void store
      .reveal(room, offset)
      .catch(() => false)
      .then((found) => {
        const el = list.current?.querySelector<HTMLElement>(`[data-offset="${offset}"]`);
        if (!found || !el) {
          store.notice.value = missing;
          return;
        }
        atBottom.current = false;
        el.scrollIntoView({ block: 'center' });
        el.classList.add('flash');
        setTimeout(() => el.classList.remove('flash'), 1500);
      });
  };

  // A search result picked in this room: once its messages are in, go to it.
  const wanted = room.jump.value;
  const loaded = messages.length > 0;
  useEffect(() => {
    if (wanted === undefined || !loaded) return;
    room.jump.value = undefined;
    jumpTo(wanted, 'That message could not be shown: it is too far back, or was deleted');
  }, [wanted, loaded, room]);

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const last = messages[messages.length - 1];
    const arrived = last !== undefined && last.key !== lastKey.current;
    lastKey.current = last?.key;
    if (shownRoom.current !== room) {
      // Another room: where it was left, else its newest. Before any scroll event, which would save this one's.
      shownRoom.current = room;
      heightBefore.current = 0;
      setBelow(0);
      const saved = leftAt.get(room);
      atBottom.current = saved === undefined;
      el.scrollTop = saved ?? el.scrollHeight;
    } else if (heightBefore.current > 0) {
      // Older messages were prepended: keep the same message under the reader's eyes.
      el.scrollTop += el.scrollHeight - heightBefore.current;
      heightBefore.current = 0;
    } else if (atBottom.current || (arrived && last?.mine && last.status === 'pending')) {
      // At the bottom, or the reader just sent something: show the newest.
      toBottom();
    } else if (arrived && !last?.event) {
      setBelow((count) => count + 1);
    }
  }, [messages, notices, room]);

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (atBottom.current) leftAt.delete(room);
    else leftAt.set(room, el.scrollTop);
    if (atBottom.current && below > 0) setBelow(0);
    if (el.scrollTop < 60 && room.hasMore.value && !room.loadingOlder.value) {
      heightBefore.current = el.scrollHeight;
      void store.loadOlder(room).catch(() => {
        heightBefore.current = 0;
      });
    }
  };

  const items: JSX.Element[] = [];
  const moderator = store.moderates(room.name);
  let lastDay = '';
  const noticesAt = (offset: number) =>
    notices
      .filter((n) => n.afterOffset === offset)
      .map((n) => (
        <li class="notice" key={`notice-${n.afterOffset}-${n.text}`}>
          {n.text}
        </li>
      ));
  // What was on screen before the server reset the room's history: kept, dimmed, above a separator.
  const old = room.beforeReset.value;
  let previous: ShownMessage | undefined;
  for (const message of old) {
    if (message.event || !inTimeline(message)) continue;
    const grouped = continues(previous, message);
    previous = message;
    items.push(
      <li key={`old-${message.key}`} class={`message before-reset${grouped ? ' grouped' : ''}`}>
        {!grouped && <Avatar id={message.from.id} name={message.from.name} />}
        <div class="body">
          {!grouped && (
            <div class="meta">
              <Sender store={store} message={message} />
            </div>
          )}
          <MessageText store={store} message={message} />
        </div>
      </li>,
    );
  }
  if (old.length > 0) {
    previous = undefined;
    items.push(
      <li class="divider reset" key="reset">
        <span>History was reset by the server: the messages above are from before it</span>
      </li>,
    );
  }
  items.push(...noticesAt(0));
  let dividerShown = false;
  // In a direct room, "Seen" goes under this user's newest message the other person has read.
  const seenUpTo = store.listed(room.name)?.kind === 'direct' ? store.seenIn(room.name) : 0;
  const seenMessage =
    seenUpTo > 0
      ? messages.filter((m) => m.mine && m.offset !== undefined && m.offset <= seenUpTo).at(-1)
      : undefined;
  for (const message of messages) {
    // Unread messages start after the read marker the room was opened with.
    if (divider !== null && !dividerShown && message.offset !== undefined && message.offset > divider) {
      dividerShown = true;
      previous = undefined;
      items.push(
        <li class="divider new-messages" key="new-messages">
          <span>New messages</span>
        </li>,
      );
    }
    const day = dayKey(message.ts);
    if (day !== lastDay) {
      lastDay = day;
      previous = undefined;
      items.push(
        <li class="day" key={`day-${day}`}>
          <span>{dayOf(message.ts)}</span>
        </li>,
      );
    }
    if (message.event) {
      // A system event (joined, kicked, renamed...): a small notice in the flow of the conversation.
      items.push(
        <li
          key={message.key}
          class="notice system"
          data-offset={message.offset}
          data-event={message.event.type}
        >
          {message.text}
          {lasts(message.event) && ` (${untilOf(message.event.until as number)})`}
          {message.event.type === 'pinned' && message.event.target !== undefined && (
            <button
              type="button"
              class="link show-pinned"
              onClick={() => jumpTo(message.event?.target as number, 'That message is no longer available')}
            >
              Show
            </button>
          )}
          {/* A ban is lifted where it shows: banned users are no members, so the members panel has no row for them. */}
          {message.event.type === 'banned' && message.event.user && moderator && !ended(message.event) && (
            <button
              type="button"
              class="link unban"
              onClick={() => void store.moderate(room.name, message.event?.user?.id as string, 'unban')}
            >
              Unban
            </button>
          )}
        </li>,
      );
      if (message.offset !== undefined) items.push(...noticesAt(message.offset));
      previous = undefined;
      continue;
    }
    const grouped = continues(previous, message);
    const hasNotices = message.offset !== undefined && notices.some((n) => n.afterOffset === message.offset);
    previous = hasNotices ? undefined : message;
    const stored = message.message;
    const deleted = stored?.deleted === true;
    const pinned = message.offset !== undefined && !deleted && store.isPinned(room.name, message.offset);
    const saved = message.offset !== undefined && !deleted && store.isSaved(room.name, message.offset);
    const replyTo = stored?.replyTo;
    const original = replyTo !== undefined ? messages.find((m) => m.offset === replyTo) : undefined;
    // A reply in a thread also sent to the room: it says which thread, and opens it.
    const thread = threadOf(message);
    const root = thread !== undefined ? all.find((m) => m.offset === thread) : undefined;
    const classes = ['message', message.status];
    if (message.mine) classes.push('mine');
    if (grouped) classes.push('grouped');
    if (message.mentionsMe) classes.push('mention');
    if (deleted) classes.push('deleted');
    if (pinned) classes.push('pinned');
    items.push(
      <li key={message.key} class={classes.join(' ')} data-offset={message.offset}>
        {grouped ? (
          <time class="side-time" dateTime={new Date(message.ts).toISOString()}>
            {timeOf(message.ts)}
          </time>
        ) : (
          <Avatar id={message.from.id} name={message.from.name} />
        )}
        <div class="body">
          <div class="meta">
            {!grouped && <Sender store={store} message={message} />}
            {stored?.edited !== undefined && !deleted && (
              <EditedMark store={store} room={room.name} offset={stored.offset} />
            )}
            {pinned && (
              <span class="pin-mark" title="Pinned">
                📌<span class="sr-only"> pinned</span>
              </span>
            )}
            <StateMark message={message} seen={message === seenMessage} />
          </div>
          {replyTo !== undefined && (
            <button
              type="button"
              class="quote"
              onClick={() => jumpTo(replyTo)}
              aria-label="Go to the original"
            >
              <bdi class="from">{original ? original.from.name : 'Earlier message'}</bdi>{' '}
              <span class="quoted">
                {original?.message?.deleted
                  ? 'Message deleted'
                  : original
                    ? summaryOf({
                        text: original.text,
                        files: original.message?.files ?? original.files,
                        forwarded: original.message?.forwarded,
                      }).slice(0, 120)
                    : '…'}
              </span>
            </button>
          )}
          {thread !== undefined && (
            <button
              type="button"
              class="quote in-thread"
              onClick={() => void store.openThread(thread)}
              aria-label="Open its thread"
            >
              <span class="muted">replied in the thread of</span>{' '}
              <bdi class="from">{root ? root.from.name : 'an earlier message'}</bdi>{' '}
              <span class="quoted">{root ? summaryOf({ ...root, ...root.message }).slice(0, 120) : ''}</span>
            </button>
          )}
          <MessageText store={store} message={message} />
          {stored?.edited !== undefined &&
            !deleted &&
            shownEdits?.room === room.name &&
            shownEdits.offset === stored.offset && (
              <EditHistory key={stored.edited} store={store} room={room.name} offset={stored.offset} />
            )}
          {stored?.replies && (
            <ThreadSummaryButton
              store={store}
              room={room}
              message={message}
              open={openThread?.room === room.name && openThread.root === message.offset}
            />
          )}
          <SendFailure store={store} message={message} />
          <ReactionChips store={store} message={message} />
          {message.status === 'sent' && message.offset !== undefined && !deleted && (
            <div class="actions">
              <button type="button" onClick={() => (store.replyingTo.value = message)}>
                Reply
              </button>
              {/* Threads need a server that keeps rooms (not --store redis). */}
              {store.groupChat.value && (
                <button
                  type="button"
                  title="Reply in thread"
                  onClick={() => void store.openThread(thread ?? (message.offset as number))}
                >
                  Thread
                </button>
              )}
              {/* Reactions, edits and deletes need a server that keeps rooms (not --store redis). */}
              {store.groupChat.value && (
                <button
                  type="button"
                  aria-expanded={picking === message.key}
                  onClick={() => setPicking(picking === message.key ? null : message.key)}
                >
                  React
                </button>
              )}
              {message.mine && store.groupChat.value && (
                <button type="button" onClick={() => (store.editing.value = message)}>
                  Edit
                </button>
              )}
              <button
                type="button"
                class="more"
                title="More actions"
                aria-label="More actions"
                aria-expanded={more === message.key}
                onClick={() => setMore(more === message.key ? null : message.key)}
              >
                ⋯
              </button>
              {more === message.key && (
                // A pick of an item (a click, by mouse or keyboard) bubbles here after the item's own, and closes the
                // menu; so does Escape.
                <div
                  class="more-menu"
                  role="toolbar"
                  aria-orientation="vertical"
                  aria-label="More actions"
                  onClick={() => setMore(null)}
                  onKeyDown={(event) => {
                    if (event.key === 'Escape') setMore(null);
                  }}
                >
                  {store.groupChat.value && store.listed(room.name) && stored && (
                    <button type="button" onClick={() => void store.setSaved(stored, !saved)}>
                      {saved ? 'Unsave' : 'Save'}
                    </button>
                  )}
                  {store.groupChat.value && store.listed(room.name) && stored && !deleted && (
                    <button
                      type="button"
                      aria-expanded={reminding === message.key}
                      onClick={() => setReminding(reminding === message.key ? null : message.key)}
                    >
                      Remind me
                    </button>
                  )}
                  {stored && (stored.text !== '' || stored.forwarded) && (
                    <button
                      type="button"
                      title="Quote it in your message"
                      onClick={() => store.quote(stored)}
                    >
                      Quote
                    </button>
                  )}
                  {stored && (
                    <button type="button" onClick={() => setForwarding(stored)}>
                      Forward
                    </button>
                  )}
                  {stored && (
                    <button type="button" onClick={() => void store.copyMessageLink(stored)}>
                      Copy link
                    </button>
                  )}
                  {store.listed(room.name) && !message.mine && (
                    <button
                      type="button"
                      title="Unread from this message on, on every device, until you open the room again"
                      onClick={() => void store.markUnread(room.name, message.offset as number)}
                    >
                      Mark unread
                    </button>
                  )}
                  {store.mayPin(room.name) && (
                    <button
                      type="button"
                      onClick={() => void store.setPinned(room.name, message.offset as number, !pinned)}
                    >
                      {pinned ? 'Unpin' : 'Pin'}
                    </button>
                  )}
                  {store.groupChat.value && store.mayDelete(message) && (
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        if (confirm('Delete this message for everyone?'))
                          void store.deleteMessage(message.offset as number);
                      }}
                    >
                      Delete
                    </button>
                  )}
                </div>
              )}
              {picking === message.key && (
                <ReactionPicker store={store} message={message} onPicked={() => setPicking(null)} />
              )}
              {reminding === message.key && stored && (
                <LaterTimes
                  legend="Remind me about this"
                  action="Remind me"
                  soon
                  onPick={(at) => {
                    setReminding(null);
                    void store.setReminder(stored, at);
                  }}
                />
              )}
            </div>
          )}
        </div>
      </li>,
    );
    if (message.offset !== undefined) items.push(...noticesAt(message.offset));
  }
  return (
    <div class="messages-wrap">
      <ol
        class="messages"
        ref={list}
        onScroll={onScroll}
        aria-label={`Messages in ${store.title(room.name)}`}
        aria-live="polite"
      >
        {room.loadingOlder.value && <li class="notice">Loading older messages…</li>}
        {!room.hasMore.value && messages.length > 0 && (
          <li class="notice">
            {store.listed(room.name)?.kind === 'direct'
              ? `Beginning of your conversation with ${store.title(room.name)}`
              : `Beginning of ${store.title(room.name)}`}
          </li>
        )}
        {messages.length === 0 && <li class="notice">No messages yet. Say hello!</li>}
        {items}
      </ol>
      {forwarding && <ForwardDialog store={store} message={forwarding} onClose={() => setForwarding(null)} />}
      {below > 0 && (
        <button type="button" class="jump-latest" onClick={toBottom}>
          ↓ {below} new {below === 1 ? 'message' : 'messages'}
        </button>
      )}
    </div>
  );
}
