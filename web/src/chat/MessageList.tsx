import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { dayKey, dayOf, timeOf } from '../format.js';
import { Linkified } from './Linkified.js';
import type { ChatStore, RoomModel, ShownMessage } from './store.js';

function statusLabel(message: ShownMessage): string {
  if (message.status === 'pending') return 'sending…';
  if (message.status === 'failed') return `not sent: ${message.error ?? 'error'}`;
  return message.mine ? 'sent' : '';
}

/**
 * The room's messages with day separators and notices. Sticks to the bottom while the reader is there; scrolling
 * to the top loads older history, keeping the view where it was.
 */
export function MessageList({ store, room }: { store: ChatStore; room: RoomModel }) {
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const heightBefore = useRef(0);
  const messages = room.messages.value;
  const notices = room.notices.value;

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    if (heightBefore.current > 0) {
      // Older messages were prepended: keep the same message under the reader's eyes.
      el.scrollTop += el.scrollHeight - heightBefore.current;
      heightBefore.current = 0;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, notices]);

  useEffect(() => {
    atBottom.current = true;
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [room]);

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60 && room.hasMore.value && !room.loadingOlder.value) {
      heightBefore.current = el.scrollHeight;
      void store.loadOlder(room).catch(() => {
        heightBefore.current = 0;
      });
    }
  };

  const items: JSX.Element[] = [];
  let lastDay = '';
  const noticesAt = (offset: number) =>
    notices
      .filter((n) => n.afterOffset === offset)
      .map((n) => (
        <li class="notice" key={`notice-${n.afterOffset}-${n.text}`}>
          {n.text}
        </li>
      ));
  items.push(...noticesAt(0));
  for (const message of messages) {
    const day = dayKey(message.ts);
    if (day !== lastDay) {
      lastDay = day;
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
        </li>,
      );
      if (message.offset !== undefined) items.push(...noticesAt(message.offset));
      continue;
    }
    items.push(
      <li
        key={message.key}
        class={`message ${message.status}${message.mine ? ' mine' : ''}`}
        data-offset={message.offset}
      >
        <div class="meta">
          <bdi class="from">{message.mine ? 'You' : message.from.name}</bdi>
          <time dateTime={new Date(message.ts).toISOString()}>{timeOf(message.ts)}</time>
          <span class="state">{statusLabel(message)}</span>
        </div>
        <div class="text" dir="auto">
          <Linkified text={message.text} />
        </div>
      </li>,
    );
    if (message.offset !== undefined) items.push(...noticesAt(message.offset));
  }
  return (
    <ol
      class="messages"
      ref={list}
      onScroll={onScroll}
      aria-label={`Messages in ${store.title(room.name)}`}
      aria-live="polite"
    >
      {room.loadingOlder.value && <li class="notice">Loading older messages…</li>}
      {!room.hasMore.value && messages.length > 0 && (
        <li class="notice">Beginning of {store.title(room.name)}</li>
      )}
      {messages.length === 0 && <li class="notice">No messages yet. Say hello!</li>}
      {items}
    </ol>
  );
}
