import { useEffect, useState } from 'preact/hooks';
import { typingLine } from '../format.js';
import { Composer } from './Composer.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { MembersPanel } from './MembersPanel.js';
import { MessageList } from './MessageList.js';
import { PinsPanel } from './PinsPanel.js';
import { ScheduledMessages } from './ScheduledMessages.js';
import { SearchPanel } from './SearchPanel.js';
import { statusLine } from './StatusPicker.js';
import type { ChatStore, RoomModel } from './store.js';
import { ThreadPanel } from './ThreadPanel.js';

/** Where the side panel opens over the conversation (style.css's narrow layout). */
const NARROW = '(max-width: 760px)';

/** One room: header, messages, typing line, composer and who is online. */
export function RoomView({ store, room, onMenu }: { store: ChatStore; room: RoomModel; onMenu: () => void }) {
  const users = room.users.value;
  // The statuses of who is shown online, asked for once (later changes come from the rooms shared with them).
  useEffect(() => store.wantStatuses(users.map((u) => u.id)), [store, users]);
  // A join lists up to 50 users of a bigger room (presencePageMax); the count is everyone.
  const count = Math.max(room.userCount.value, users.length);
  // While disconnected, who is online is not known: the list stays, greyed, until the rejoin's snapshot.
  const live = store.connection.value.status === 'connected';
  const [showMembers, setShowMembers] = useState(false);
  const [showOnline, setShowOnline] = useState(false);
  // Open while a search is shown: its results stay while the reader goes from room to room through them.
  const [showSearch, setShowSearch] = useState(store.search.value !== null);
  // A search started elsewhere (/search, a person's card) opens the panel, with what it asked in the box.
  const searches = store.searchOpened.value;
  useEffect(() => {
    if (searches > 0 && store.search.value !== null) setShowSearch(true);
  }, [searches]);
  const [showPins, setShowPins] = useState(false);
  const entry = store.listed(room.name);
  const title = store.title(room.name);
  // A stored room's pins are read when it is opened (then again as its pinned and unpinned events come).
  const stored = entry !== undefined;
  useEffect(() => {
    if (stored && room.pins.value === null) void store.loadPins(room.name);
  }, [room.name, stored]);
  const pinCount = room.pins.value?.length ?? 0;
  const thread = store.thread.value?.room === room.name ? store.thread.value : null;
  // A room of the list by its title (a direct room by its people), an open channel by its name.
  const shown = entry ? title : `#${room.name}`;
  return (
    <section class="room-view" aria-label={title}>
      <header class="room-header">
        <button type="button" class="menu" aria-label="Rooms" onClick={onMenu}>
          ☰
        </button>
        {entry && (
          <button
            type="button"
            class={`favorite-toggle${entry.favorite ? ' on' : ''}`}
            aria-pressed={entry.favorite === true}
            aria-label="Favorite"
            title={entry.favorite ? 'A favorite: listed first (click to remove)' : 'Add to favorites'}
            onClick={() => void store.setFavorite(room.name, !entry.favorite)}
          >
            {entry.favorite ? '★' : '☆'}
          </button>
        )}
        <h1>
          <bdi>{shown}</bdi>
          {entry?.kind === 'private' && <span class="kind"> 🔒</span>}
          {entry?.archived && <span class="kind"> (archived)</span>}
        </h1>
        {entry?.topic && <span class="topic muted">{entry.topic}</span>}
        <button
          type="button"
          class="link online-count"
          aria-pressed={showOnline}
          title={live ? 'Who is online' : 'Not connected: as last known'}
          onClick={() => setShowOnline(!showOnline)}
        >
          {count} online
        </button>
        <span class="header-status">
          <ConnectionStatus state={store.connection.value} degraded={store.degraded.value} />
        </span>
        {pinCount > 0 && (
          <button
            type="button"
            class="link pins-toggle"
            aria-pressed={showPins}
            title="Pinned messages"
            onClick={() => setShowPins(!showPins)}
          >
            📌 {pinCount}
            <span class="sr-only"> pinned</span>
          </button>
        )}
        {store.groupChat.value && (
          <button
            type="button"
            class="search-toggle"
            aria-pressed={showSearch}
            aria-label="Search messages"
            title="Search messages"
            onClick={() => {
              if (showSearch) store.clearSearch();
              setShowSearch(!showSearch);
            }}
          >
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
              <circle cx="6.5" cy="6.5" r="4.5" fill="none" stroke="currentColor" stroke-width="2" />
              <path d="M10 10l4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
            </svg>
            <span class="toggle-label"> Search</span>
          </button>
        )}
        {entry && (
          <button
            type="button"
            class="members-toggle"
            aria-pressed={showMembers}
            aria-label="Members"
            onClick={() => setShowMembers(!showMembers)}
          >
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
              <circle cx="6" cy="5" r="2.6" fill="currentColor" />
              <path d="M1 14c0-3 2.2-5 5-5s5 2 5 5z" fill="currentColor" />
              <circle cx="11.5" cy="5.5" r="2" fill="currentColor" opacity="0.7" />
              <path d="M11 9.2c2.3.2 4 2 4 4.8h-3c0-1.9-.4-3.5-1-4.8z" fill="currentColor" opacity="0.7" />
            </svg>
            <span class="toggle-label"> Members</span>
          </button>
        )}
        {(!entry || store.canLeave(room.name)) && (
          // A room with a members panel offers Leave there too: on a phone the header keeps its space for the name.
          <button
            type="button"
            class={entry ? 'leave in-panel-too' : 'leave'}
            onClick={() => void store.leaveRoom(room.name)}
          >
            Leave
          </button>
        )}
      </header>
      <div
        class={`room-body${showMembers ? ' show-members' : ''}${showOnline ? ' show-online' : ''}${showSearch || showPins || thread ? ' show-search' : ''}`}
      >
        <div class="conversation">
          <MessageList store={store} room={room} />
          <p class="typing" aria-live="polite">
            {typingLine(room.typing.value.map((u) => u.name)).map((part) =>
              typeof part === 'string' ? part : <bdi>{part.name}</bdi>,
            )}
          </p>
          {entry && <ScheduledMessages store={store} room={room.name} />}
          <Composer key={room.name} store={store} room={room.name} label={shown} />
        </div>
        <aside class={`presence${live ? '' : ' stale'}`} aria-label="Online">
          {thread && <ThreadPanel key={thread.root} store={store} room={room} open={thread} />}
          {showSearch && (
            <SearchPanel
              key={searches}
              store={store}
              room={room.name}
              onClose={() => setShowSearch(false)}
              // On a phone the panel covers the conversation: a picked result is shown, the results kept.
              onPicked={() => {
                if (matchMedia(NARROW).matches) setShowSearch(false);
              }}
            />
          )}
          {showPins && (
            <PinsPanel
              store={store}
              room={room}
              onClose={() => setShowPins(false)}
              onPicked={() => {
                if (matchMedia(NARROW).matches) setShowPins(false);
              }}
            />
          )}
          {showMembers && <MembersPanel store={store} room={room.name} />}
          <h2>Online — {count}</h2>
          <ul>
            {users.map((u) => {
              const status = store.statusOf(u.id);
              return (
                <li key={u.id} class="person">
                  {status?.availability ? (
                    <span
                      class={`online-dot ${status.availability}`}
                      role="img"
                      aria-label={status.availability === 'dnd' ? 'do not disturb' : 'away'}
                    />
                  ) : (
                    <span class="online-dot" aria-hidden="true" />
                  )}
                  <bdi class="person-name">{u.name}</bdi>
                  {status && (
                    <span class="person-status muted small" title={statusLine(status)}>
                      {status.emoji ?? ''}
                    </span>
                  )}
                  {u.id === store.me.id ? (
                    // Its own element: a flex row drops the space a bare text would start with.
                    <span class="you"> (you)</span>
                  ) : (
                    store.groupChat.value && (
                      <button
                        type="button"
                        class="link dm"
                        aria-label={`Message ${u.name}`}
                        onClick={() => void store.openDirect(u)}
                      >
                        Message
                      </button>
                    )
                  )}
                </li>
              );
            })}
          </ul>
          {count > users.length && (
            <p class="more-online muted">
              and {count - users.length} more{' '}
              <button type="button" class="link" onClick={() => void store.showEveryone(room.name)}>
                Show everyone
              </button>
            </p>
          )}
        </aside>
      </div>
    </section>
  );
}
