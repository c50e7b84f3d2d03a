import { useState } from 'preact/hooks';
import {
  type RoomSummary,
  roomNameProblem,
  type SentInvitationSummary,
  type SentInvitationsCursor,
} from '../../../client/index.js';
import { textOrFiles } from '../format.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { MessageLink } from './MessageLink.js';
import { notificationsOn, notificationsSupported, setNotifications } from './notifications.js';
import { ScheduledMessages, scheduledWhen } from './ScheduledMessages.js';
import { StatusPicker, statusLine } from './StatusPicker.js';
import { type ChatStore, unexpired } from './store.js';

const KIND_MARK: Record<RoomSummary['kind'], string> = { public: '#', private: '🔒', direct: '@' };

/** One entry of the room list: open it (joining it on this device). */
function RoomButton({
  store,
  id,
  kind,
  onPick,
  closable = false,
}: {
  store: ChatStore;
  id: string;
  kind: RoomSummary['kind'] | 'channel';
  onPick: () => void;
  /** Offers to close the conversation (a direct room): out of the list until a new message comes. */
  closable?: boolean;
}) {
  const active = store.current.value === id;
  const unread = active ? 0 : store.unreadOf(id);
  const mentions = active ? 0 : store.mentionsOf(id);
  const entry = store.listed(id);
  // Something typed there and not sent (shown once another room is open, as other chats mark it).
  const drafted = !active && store.draftOf(id).trim() !== '';
  // A room set to "nothing" is shown quiet: no unread count (its mentions still show), dimmed.
  const quiet = entry !== undefined && store.notificationsOf(id) === 'none';
  // The newest message's start as a tooltip; none for a system event or a deleted message (its text is gone).
  const last = entry?.last;
  const shown = last ? textOrFiles(last.preview, last.files, last.forwarded) : '';
  const preview = last && !last.event && shown !== '' ? `${last.from.name}: ${shown}` : '';
  return (
    <li>
      <button
        type="button"
        class={`room${active ? ' active' : ''}${entry?.archived ? ' archived' : ''}${quiet ? ' quiet' : ''}`}
        aria-current={active ? 'page' : undefined}
        title={preview || undefined}
        data-room={id}
        onClick={() => {
          store.open(id);
          onPick();
        }}
      >
        <span class="hash" aria-hidden="true">
          {kind === 'channel' ? '#' : KIND_MARK[kind]}
        </span>
        {kind === 'private' && <span class="sr-only">private room </span>}
        <span class="name">
          <bdi>{kind === 'channel' ? id : store.title(id)}</bdi>
        </span>
        {drafted && (
          <span class="draft-mark" title="A message you have not sent yet">
            ✎<span class="sr-only"> draft</span>
          </span>
        )}
        {mentions > 0 && (
          <span class="badge mention-badge" data-mentions={mentions}>
            @{mentions}
            <span class="sr-only"> mentions</span>
          </span>
        )}
        {quiet && (
          <span class="quiet-mark" title="Notifications off" aria-hidden="true">
            🔕
          </span>
        )}
        {quiet && <span class="sr-only"> notifications off</span>}
        {unread > 0 && !quiet && (
          <span class="badge" data-unread={unread}>
            {unread > 99 ? '99+' : unread}
            <span class="sr-only"> unread</span>
          </span>
        )}
      </button>
      {closable && (
        <button
          type="button"
          class="close-room"
          aria-label={`Close the conversation with ${store.title(id)}`}
          title="Close: out of the list until a new message comes"
          onClick={() => void store.closeRoom(id)}
        >
          ×
        </button>
      )}
    </li>
  );
}

/** Public rooms to browse and join. */
function PublicRooms({ store, onPick }: { store: ChatStore; onPick: () => void }) {
  const [rooms, setRooms] = useState<RoomSummary[] | null>(null);
  if (rooms === null) {
    return (
      <button
        type="button"
        class="link"
        onClick={() => void store.publicRooms().then(setRooms, () => setRooms([]))}
      >
        Browse public rooms
      </button>
    );
  }
  return (
    <section class="browse" aria-label="Public rooms">
      <h2>
        Public rooms{' '}
        <button type="button" class="link" onClick={() => setRooms(null)}>
          close
        </button>
      </h2>
      {rooms.length === 0 && <p class="muted empty">No public rooms yet: create one below.</p>}
      <ul>
        {rooms.map((room) => (
          <li key={room.id}>
            <button
              type="button"
              class="room"
              onClick={() => {
                void store.join(room.id);
                setRooms(null);
                onPick();
              }}
            >
              <span class="hash">#</span>
              <span class="name" title={room.topic || undefined}>
                <bdi>{room.name}</bdi>
                {/* Two rooms may share a name: the topic tells them apart. */}
                {room.topic && <span class="browse-topic muted small">{room.topic}</span>}
              </span>
              <span class="muted small" title={`${room.memberCount} members`}>
                {room.memberCount}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The pending invitations the user gave, in every room (also rooms they have left, which no members panel shows
 * them any more), each to withdraw. Read when opened, and again after a withdrawal.
 */
function SentInvitations({ store }: { store: ChatStore }) {
  const [page, setPage] = useState<{
    invitations: SentInvitationSummary[];
    next?: SentInvitationsCursor;
  } | null>(null);
  const load = () => void store.sentInvitations().then(setPage, () => setPage({ invitations: [] }));
  if (page === null) {
    return (
      <button type="button" class="link" onClick={load}>
        Invitations you sent
      </button>
    );
  }
  const more = page.next;
  // As in the invitations received: one past its end is gone, though no event said so.
  const shown = unexpired(page.invitations);
  return (
    <section class="browse invitations" aria-label="Invitations you sent">
      <h2>
        Invitations you sent{' '}
        <button type="button" class="link" onClick={() => setPage(null)}>
          close
        </button>
      </h2>
      {shown.length === 0 && <p class="muted empty">None pending.</p>}
      <ul>
        {shown.map((invitation) => (
          <li
            key={`${invitation.room} ${invitation.user}`}
            data-sent-invitation={`${invitation.room}:${invitation.user}`}
          >
            <span>
              <bdi>{store.nameOf(invitation.user)}</bdi>{' '}
              <span class="muted small">
                to <bdi>{store.listed(invitation.room)?.name || invitation.room}</bdi>
              </span>
            </span>
            <button
              type="button"
              class="link"
              onClick={() => void store.uninvite(invitation.room, invitation.user).then(load)}
            >
              Withdraw
            </button>
          </li>
        ))}
      </ul>
      {more && (
        <button
          type="button"
          class="link"
          onClick={() =>
            void store.sentInvitations(more).then(
              (next) => setPage({ ...next, invitations: [...page.invitations, ...next.invitations] }),
              () => {},
            )
          }
        >
          More
        </button>
      )}
    </section>
  );
}

/**
 * The user's saved messages, in every room, the most recently saved first: where and when, who, the text; a pick
 * opens the message in its room; Unsave. Read when opened.
 */
function SavedMessages({ store, onPick }: { store: ChatStore; onPick: () => void }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button
        type="button"
        class="link"
        onClick={() => {
          setOpen(true);
          void store.loadSaved();
        }}
      >
        Saved messages
      </button>
    );
  }
  const saved = store.saved.value;
  return (
    <section class="browse saved" aria-label="Saved messages">
      <h2>
        Saved messages{' '}
        <button type="button" class="link" onClick={() => setOpen(false)}>
          close
        </button>
      </h2>
      {saved?.length === 0 && <p class="muted empty">Nothing saved: a message's Save keeps it here.</p>}
      <ul>
        {(saved ?? []).map(({ message, remindAt, remindedAt }) => (
          <li key={`${message.room} ${message.offset}`} data-saved={`${message.room}:${message.offset}`}>
            <MessageLink store={store} message={message} onPicked={onPick} />
            {remindAt !== undefined && (
              <p class={`reminder-note small${remindedAt !== undefined ? ' due' : ''}`}>
                <span>
                  {remindedAt !== undefined ? 'Reminder: ' : 'Remind me '}
                  <time dateTime={new Date(remindAt).toISOString()}>{scheduledWhen(remindAt)}</time>
                </span>
                <button type="button" class="link" onClick={() => void store.setReminder(message, undefined)}>
                  {remindedAt !== undefined ? 'Done' : 'No reminder'}
                </button>
              </p>
            )}
            <button type="button" class="link unsave" onClick={() => void store.setSaved(message, false)}>
              Unsave
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The threads the user follows, in every room, the one with the newest reply first: the root (where, who, when, the
 * text), how many replies and how many are new; a pick opens the thread beside its message; Unfollow. The button
 * says how many have new replies; the list is read again when opened.
 */
function FollowedThreads({ store, onPick }: { store: ChatStore; onPick: () => void }) {
  const open = store.threadsOpen.value;
  const setOpen = (shown: boolean) => {
    store.threadsOpen.value = shown;
  };
  const unread = store.threadsUnread.value;
  if (!open) {
    return (
      <button
        type="button"
        class="link threads-button"
        aria-label={unread > 0 ? `Threads, ${unread} with new replies` : 'Threads'}
        onClick={() => {
          setOpen(true);
          void store.loadThreads();
        }}
      >
        Threads
        {unread > 0 && <span class="badge">{unread}</span>}
      </button>
    );
  }
  const threads = store.followedThreads.value;
  return (
    <section class="browse threads" aria-label="Threads">
      <h2>
        Threads{' '}
        <button type="button" class="link" onClick={() => setOpen(false)}>
          close
        </button>
      </h2>
      {threads?.length === 0 && (
        <p class="muted empty">No thread followed: reply in one, or Follow it, and it is kept here.</p>
      )}
      <ul>
        {(threads ?? []).map(({ root, unread, mentions }) => {
          const count = root.replies?.count ?? 0;
          return (
            <li key={`${root.room} ${root.offset}`} data-thread={`${root.room}:${root.offset}`}>
              <MessageLink
                store={store}
                message={root}
                opensThread
                onPicked={onPick}
                note={
                  <>
                    {' '}
                    · {count} {count === 1 ? 'reply' : 'replies'}
                    {unread > 0 && <span class="new-replies"> · {unread} new</span>}
                    {mentions > 0 && <span class="new-replies"> · @{mentions}</span>}
                  </>
                }
              />
              <button
                type="button"
                class="link unfollow"
                onClick={() => void store.setFollowing(root.room, root.offset, false)}
              >
                Unfollow
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Creates a room (public or private). */
function NewRoom({ store, onPick }: { store: ChatStore; onPick: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'public' | 'private'>('public');
  return (
    <form
      class="join"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim() === '') return;
        void store.createRoom(name.trim(), kind);
        setName('');
        setKind('public');
        onPick();
      }}
    >
      <label for="new-room">New room</label>
      <div class="row">
        <input
          id="new-room"
          value={name}
          maxLength={80}
          placeholder="Design review"
          autoComplete="off"
          onInput={(event) => setName((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={name.trim() === ''}>
          Create
        </button>
      </div>
      <label class="check">
        <input
          type="checkbox"
          id="new-room-private"
          checked={kind === 'private'}
          onChange={(event) => setKind((event.target as HTMLInputElement).checked ? 'private' : 'public')}
        />
        Private (by invitation)
      </label>
    </form>
  );
}

/** People in a group direct room besides oneself (the protocol's 8 in all). */
const MAX_OTHERS = 7;

/**
 * Starts a direct conversation with one or several people (a group of up to 8): each picked by name from the
 * people this client knows (or typed as a user id) becomes a chip; Enter or a comma adds the one typed.
 */
function NewDirect({ store, onPick }: { store: ChatStore; onPick: () => void }) {
  const [typed, setTyped] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const known = store.people();
  const add = (text: string) => {
    const name = text.trim().replace(/,$/, '').trim();
    if (name !== '' && !chosen.includes(name) && chosen.length < MAX_OTHERS) setChosen([...chosen, name]);
    setTyped('');
  };
  return (
    <form
      class="join new-direct"
      onSubmit={(event) => {
        event.preventDefault();
        const names = typed.trim() === '' ? chosen : [...chosen, typed.trim()];
        if (names.length === 0) return;
        void store.openDirectByNames(names);
        setChosen([]);
        setTyped('');
        onPick();
      }}
    >
      <label for="new-direct">Message people</label>
      {chosen.length > 0 && (
        <ul class="chips" aria-label="People to message">
          {chosen.map((name) => (
            <li key={name}>
              <bdi>{name}</bdi>
              <button
                type="button"
                class="link"
                aria-label={`Remove ${name}`}
                onClick={() => setChosen(chosen.filter((n) => n !== name))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="row">
        <input
          id="new-direct"
          value={typed}
          list="direct-people"
          placeholder={chosen.length > 0 ? 'and…' : 'Name'}
          autoComplete="off"
          disabled={chosen.length >= MAX_OTHERS}
          onInput={(event) => {
            const value = (event.target as HTMLInputElement).value;
            // A name picked from the list (not typed: a replacement) or ended with a comma becomes a chip at once.
            const inputType = (event as unknown as InputEvent).inputType;
            const replaced = inputType === undefined || inputType === 'insertReplacementText';
            if (value.endsWith(',') || (replaced && known.some((p) => p.name === value))) add(value);
            else setTyped(value);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && typed.trim() !== '' && chosen.length > 0) {
              event.preventDefault();
              add(typed);
            }
          }}
        />
        <datalist id="direct-people">
          {known
            .filter((p) => !chosen.includes(p.name))
            .map((p) => (
              <option key={p.id} value={p.name} label={p.id} />
            ))}
        </datalist>
        <button type="submit" disabled={chosen.length === 0 && typed.trim() === ''}>
          Start
        </button>
      </div>
    </form>
  );
}

/** Rooms, direct messages and invitations, the forms to find and make rooms, and the connection status. */
export function Sidebar({
  store,
  onPick,
  onSignOut,
}: {
  store: ChatStore;
  onPick: () => void;
  /** Ends this tab's session (anonymous mode); token mode signs out on the site. */
  onSignOut?: (() => void) | undefined;
}) {
  const [name, setName] = useState('');
  const [pickingStatus, setPickingStatus] = useState(false);
  const myStatus = store.statusOf(store.me.id);
  // The same rule the server applies, with the length limit it announced.
  const valid = roomNameProblem(name, store.maxRoomNameLength.value) === undefined;
  const { favorites, rooms, channels, directs } = store.sidebarRooms();
  // An invitation that expired is gone (no event says so): it is not offered.
  const invitations = unexpired(store.invitations.value);
  return (
    <nav class="sidebar" aria-label="Rooms">
      <header class="brand">
        <strong>Parley</strong>
        <span class="me" title={store.me.id}>
          <bdi>{store.me.name}</bdi>
        </span>
        {onSignOut && (
          <button type="button" class="link sign-out" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </header>
      {store.groupChat.value && (
        <div class="my-status">
          <button
            type="button"
            class={`link status-button${myStatus?.availability ? ` ${myStatus.availability}` : ''}`}
            aria-expanded={pickingStatus}
            onClick={() => setPickingStatus(!pickingStatus)}
          >
            {statusLine(myStatus) || 'Set a status'}
          </button>
          {pickingStatus && <StatusPicker store={store} onClose={() => setPickingStatus(false)} />}
        </div>
      )}
      {store.notice.value && (
        <p class="notice-bar" role="status">
          {store.notice.value}{' '}
          <button type="button" class="link" aria-label="Dismiss" onClick={() => (store.notice.value = null)}>
            ×
          </button>
        </p>
      )}
      {invitations.length > 0 && (
        <section class="invitations" aria-label="Invitations">
          <h2>Invitations</h2>
          <ul>
            {invitations.map((invitation) => (
              <li key={invitation.room.id} data-invitation={invitation.room.id}>
                <span>
                  <bdi>{invitation.room.name}</bdi>{' '}
                  <span class="muted small">from {store.nameOf(invitation.invitedBy)}</span>
                </span>
                <button type="button" onClick={() => void store.acceptInvitation(invitation.room.id)}>
                  Accept
                </button>
                <button
                  type="button"
                  class="link"
                  onClick={() => void store.declineInvitation(invitation.room.id)}
                >
                  Decline
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {store.groupChat.value && <FollowedThreads store={store} onPick={onPick} />}
      {favorites.length > 0 && (
        <>
          <h2 class="list-title">Favorites</h2>
          <ul class="rooms favorites">
            {favorites.map((room) => (
              <RoomButton key={room.id} store={store} id={room.id} kind={room.kind} onPick={onPick} />
            ))}
          </ul>
        </>
      )}
      <h2 class="list-title">
        Rooms
        {store.anyUnread() && (
          <button type="button" class="link mark-read" onClick={() => store.markAllRead()}>
            Mark all read
          </button>
        )}
      </h2>
      <ul class="rooms">
        {rooms.map((room) => (
          <RoomButton key={room.id} store={store} id={room.id} kind={room.kind} onPick={onPick} />
        ))}
        {channels.map((id) => (
          <RoomButton key={id} store={store} id={id} kind="channel" onPick={onPick} />
        ))}
      </ul>
      {directs.length > 0 && (
        <>
          <h2 class="list-title">Direct messages</h2>
          <ul class="rooms">
            {directs.map((room) => (
              <RoomButton key={room.id} store={store} id={room.id} kind="direct" onPick={onPick} closable />
            ))}
          </ul>
        </>
      )}
      {store.groupChat.value && <PublicRooms store={store} onPick={onPick} />}
      {store.groupChat.value && <NewRoom store={store} onPick={onPick} />}
      {store.groupChat.value && <NewDirect store={store} onPick={onPick} />}
      {store.groupChat.value && <SentInvitations store={store} />}
      {store.groupChat.value && <SavedMessages store={store} onPick={onPick} />}
      {store.groupChat.value && <ScheduledMessages store={store} />}
      <form
        class="join"
        onSubmit={(event) => {
          event.preventDefault();
          if (!valid) return;
          void store.join(name);
          setName('');
          onPick();
        }}
      >
        <label for="join-room">Join a room by name</label>
        <div class="row">
          <input
            id="join-room"
            value={name}
            maxLength={64}
            placeholder="room-name"
            autoComplete="off"
            onInput={(event) => setName((event.target as HTMLInputElement).value.trim())}
          />
          <button type="submit" disabled={!valid}>
            Join
          </button>
        </div>
        {name !== '' && !valid && <p class="hint">Letters, digits and _ . : - only</p>}
      </form>
      <footer>
        {store.groupChat.value && (
          <label class="small receipts">
            <input
              type="checkbox"
              id="read-receipts"
              checked={store.readReceipts.value}
              onChange={(event) => void store.setReadReceipts((event.target as HTMLInputElement).checked)}
            />{' '}
            Show others in direct messages what I have read
          </label>
        )}
        {store.linkPreviews.offered.value && (
          <label class="small receipts">
            <input
              type="checkbox"
              id="link-previews"
              checked={store.linkPreviews.wanted.value}
              onChange={(event) => store.linkPreviews.setWanted((event.target as HTMLInputElement).checked)}
            />{' '}
            Show previews of links
          </label>
        )}
        {notificationsSupported && (
          <label class="small receipts">
            <input
              type="checkbox"
              id="notifications"
              checked={notificationsOn.value}
              onChange={(event) => void setNotifications((event.target as HTMLInputElement).checked)}
            />{' '}
            Desktop notifications (mentions, direct messages and replies to your threads, or as set in each
            room's members panel)
          </label>
        )}
        <ConnectionStatus state={store.connection.value} degraded={store.degraded.value} />
        <p class="small muted shortcuts">
          <kbd>Ctrl</kbd> <kbd>K</kbd> go to a room · <kbd>Alt</kbd> <kbd>↑</kbd> <kbd>↓</kbd> the previous or
          next one
        </p>
        <a href="/dashboard" class="muted">
          Cluster dashboard
        </a>
      </footer>
    </nav>
  );
}
