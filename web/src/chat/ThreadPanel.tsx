import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { timeOf } from '../format.js';
import { Composer } from './Composer.js';
import { ForwardDialog } from './ForwardDialog.js';
import { Avatar, MessageText, Sender } from './MessageList.js';
import { ReactionChips, ReactionPicker, SendFailure } from './MessageParts.js';
import type { ChatStore, OpenThread, RoomModel, ShownMessage } from './store.js';

/** One reply of a thread: who and when, its text, reactions, and what this user may do with it. */
function Reply({ store, message }: { store: ChatStore; message: ShownMessage }) {
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const [forwarding, setForwarding] = useState(false);
  const stored = message.message;
  const deleted = stored?.deleted === true;
  const box = useRef<HTMLTextAreaElement>(null);
  const save = () => {
    const text = box.current?.value ?? '';
    setEditing(false);
    if (text.trim() !== '' && text !== message.text) void store.editMessage(message.offset as number, text);
  };
  return (
    <li class={`message ${message.status}${message.mine ? ' mine' : ''}`} data-offset={message.offset}>
      <Avatar id={message.from.id} name={message.from.name} />
      <div class="body">
        <div class="meta">
          <Sender store={store} message={message} />
          {stored?.edited !== undefined && !deleted && <span class="edited">(edited)</span>}
          {message.status === 'pending' && <span class="state">Sending…</span>}
        </div>
        {editing ? (
          <textarea
            ref={box}
            class="edit-box"
            aria-label="Edit reply"
            defaultValue={message.text}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                save();
              } else if (e.key === 'Escape') setEditing(false);
            }}
          />
        ) : (
          <MessageText store={store} message={message} />
        )}
        <SendFailure store={store} message={message} />
        <ReactionChips store={store} message={message} />
        {message.status === 'sent' && message.offset !== undefined && !deleted && !editing && (
          <div class="actions">
            <button type="button" aria-expanded={picking} onClick={() => setPicking(!picking)}>
              React
            </button>
            <button type="button" onClick={() => setForwarding(true)}>
              Forward
            </button>
            {stored && (
              <button type="button" onClick={() => void store.copyMessageLink(stored)}>
                Copy link
              </button>
            )}
            {message.mine && (
              <button type="button" onClick={() => setEditing(true)}>
                Edit
              </button>
            )}
            {store.mayDelete(message) && (
              <button
                type="button"
                class="danger"
                onClick={() => {
                  if (confirm('Delete this reply for everyone?'))
                    void store.deleteMessage(message.offset as number);
                }}
              >
                Delete
              </button>
            )}
            {picking && <ReactionPicker store={store} message={message} onPicked={() => setPicking(false)} />}
          </div>
        )}
        {forwarding && stored && (
          <ForwardDialog store={store} message={stored} onClose={() => setForwarding(false)} />
        )}
      </div>
    </li>
  );
}

/**
 * A message's thread beside the conversation: the root, its replies oldest first (earlier ones read on request),
 * and a box to reply in it (the room's box, with its own draft and files: mentions, emoji, files). Replies come live
 * like any message of the room and stay out of its timeline.
 */
export function ThreadPanel({ store, room, open }: { store: ChatStore; room: RoomModel; open: OpenThread }) {
  const root = room.messages.value.find((m) => m.offset === open.root);
  const replies = store.repliesOf(room, open.root);
  const list = useRef<HTMLOListElement>(null);
  const count = root?.message?.replies?.count ?? 0;
  const newest = replies.at(-1)?.key;
  const following = store.isFollowing(room.name, open.root);
  // The newest reply in view, as a conversation shows its newest message.
  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newest]);
  return (
    <section class="search-panel thread-panel" aria-label="Thread">
      <div class="search-head">
        <h2>Thread{count > 0 ? ` — ${count} ${count === 1 ? 'reply' : 'replies'}` : ''}</h2>
        {store.groupChat.value && store.listed(room.name) && (
          <button
            type="button"
            class="link follow"
            aria-pressed={following}
            title={
              following
                ? 'Stop following: its replies no longer count in Threads'
                : 'Hear of its replies in Threads'
            }
            onClick={() => void store.setFollowing(room.name, open.root, !following)}
          >
            {following ? 'Following' : 'Follow'}
          </button>
        )}
        <button type="button" class="link" onClick={() => store.closeThread()}>
          Close
        </button>
      </div>
      <ol class="thread-messages" ref={list} aria-label="Replies" aria-live="polite">
        {root ? (
          <li class="message thread-root" data-offset={root.offset}>
            <Avatar id={root.from.id} name={root.from.name} />
            <div class="body">
              <div class="meta">
                <Sender store={store} message={root} />
              </div>
              <MessageText store={store} message={root} />
            </div>
          </li>
        ) : (
          <li class="notice">The message of this thread is no longer shown here.</li>
        )}
        {open.hasMore && (
          <li class="notice">
            <button
              type="button"
              class="link"
              disabled={open.loading}
              onClick={() => void store.loadOlderReplies()}
            >
              {open.loading ? 'Loading…' : 'Earlier replies'}
            </button>
          </li>
        )}
        {!open.loading && replies.length === 0 && <li class="notice">No replies yet. Start the thread!</li>}
        {replies.map((message) => (
          <Reply key={message.key} store={store} message={message} />
        ))}
      </ol>
      {root && !root.message?.deleted && (
        <Composer store={store} room={room.name} label={store.title(room.name)} thread={open.root} />
      )}
      {root?.message?.replies && <p class="muted small">Last reply {timeOf(root.message.replies.last)}</p>}
    </section>
  );
}
