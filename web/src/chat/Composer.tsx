import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { sizeOf, textOrFiles } from '../format.js';
import { emojiNamed, emojiSuggestions } from './emoji-names.js';
import { SchedulePicker } from './SchedulePicker.js';
import { commandsStartingWith, readTyped } from './slash-commands.js';
import { type ChatStore, threadBox } from './store.js';

/** The emoji one click away in the composer (any emoji can be typed or pasted too). */
export const EMOJI = [
  '😀',
  '😂',
  '🙂',
  '😉',
  '😍',
  '🤔',
  '😅',
  '😎',
  '😢',
  '😮',
  '😡',
  '🙏',
  '👍',
  '👎',
  '👏',
  '🙌',
  '💪',
  '👋',
  '🎉',
  '🔥',
  '❤️',
  '✅',
  '❌',
  '👀',
  '🚀',
  '💡',
  '⭐',
  '☕',
  '🍕',
  '🤝',
  '🥳',
  '😴',
];

/** The `@name` being typed at the end of the text, if any. */
function mentionPrefix(text: string): string | undefined {
  const match = /(?:^|\s)@([^\s@]*)$/.exec(text);
  return match ? match[1] : undefined;
}

/** The `:name` of an emoji being typed at the end of the text (two characters at least), if any. */
function emojiPrefix(text: string): string | undefined {
  const match = /(?:^|\s):([a-z0-9_+-]{2,})$/i.exec(text);
  return match ? match[1] : undefined;
}

/** The text with a `:name:` just typed at its end turned into its emoji, when the name is one. */
function withEmojiTyped(text: string): string {
  const match = /(?:^|\s):([a-z0-9_+-]+):$/i.exec(text);
  const emoji = match ? emojiNamed(match[1] as string) : undefined;
  return emoji ? `${text.slice(0, text.length - (match?.[1]?.length ?? 0) - 2)}${emoji}` : text;
}

/** What the box offers to complete what is being typed: a person after `@`, an emoji after `:`. */
interface Offer {
  key: string;
  /** What replaces the `@name` or `:name` typed. */
  insert: string;
  /** How many characters at the end of the text it replaces. */
  replaces: number;
  /** Typed whole already (a name): Enter then sends rather than completes. */
  whole: boolean;
  label: ComponentChildren;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line; the length limit shows as it nears. It answers the
 * message being replied to, or edits one (Escape cancels; Up in an empty box edits the user's last message), and
 * offers the people of the room after an `@` and emoji after a `:` (a short name typed whole becomes its emoji).
 * `label` is the room as its header shows it: the box reads "Message <label>". With `thread` (its root's offset) it
 * is the box of that thread: its own draft and files, a reply in the thread for each message, no quote or edit.
 */
export function Composer({
  store,
  room,
  label,
  thread,
}: {
  store: ChatStore;
  room: string;
  label: string;
  thread?: number;
}) {
  // Where the draft and the files are kept: the room's, or the thread's.
  const slot = thread === undefined ? room : threadBox(room, thread);
  // The draft: what was typed here before switching rooms (or reloading the tab) is still here.
  const [text, setShown] = useState(() => store.draftOf(slot));
  const [picking, setPicking] = useState(false);
  // A thread's reply also sent to the room (its timeline shows it too).
  const [alsoToRoom, setAlsoToRoom] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const max = store.maxTextLength.value;
  const tooLong = text.length > max;
  // Files wait for the next new message: an edit neither takes them nor waits for them.
  const attachments = store.attachmentsOf(slot);
  // A thread's box quotes and edits nothing: the room's box does.
  const replying = thread === undefined ? store.replyingTo.value : null;
  const editing = thread === undefined ? store.editing.value : null;
  const forMessage = editing ? [] : attachments;
  const uploading = forMessage.some((a) => a.status === 'uploading');
  const refused = forMessage.some((a) => a.status === 'failed');
  // With files, a message needs no text; it goes once every file is uploaded (a refused one is taken out first).
  const empty = text.trim() === '' && forMessage.length === 0;
  const picker = useRef<HTMLInputElement>(null);
  const takesFiles = store.maxFileBytes.value > 0;
  /** Shows a text in the box; unless it is an edit's, it is the draft too. */
  const setText = (value: string) => {
    setShown(value);
    if (!editing) store.setDraft(slot, value);
  };
  // Why this user cannot write here, if they cannot: the server refuses anyway; the box says so first.
  const entry = store.listed(room);
  const archived = entry?.archived === true;
  const muted = entry?.muted === true;

  // Starting an edit puts the message's text in the box; ending it brings the draft back.
  useEffect(() => {
    if (editing) {
      setShown(editing.text);
      box.current?.focus();
    } else setShown(store.draftOf(slot));
    // A draft put from elsewhere (a scheduled message taken back to edit, another device's) is read again.
  }, [editing, slot, store, store.draftPut.value, store.draftHeard.value]);
  useEffect(() => {
    if (replying) box.current?.focus();
  }, [replying]);
  // A text put in the room's box from elsewhere (a quote, a scheduled message taken back) is to go on writing.
  const put = store.draftPut.value;
  useEffect(() => {
    if (put > 0 && thread === undefined) {
      const el = box.current;
      el?.focus();
      el?.setSelectionRange(el.value.length, el.value.length);
    }
  }, [put]);
  // A thread opened is a thread to reply in: its box takes the keyboard.
  useEffect(() => {
    if (thread !== undefined) box.current?.focus();
  }, [thread]);

  const prefix = mentionPrefix(text);
  const emojiAt = prefix === undefined ? emojiPrefix(text) : undefined;
  // A slash at the start, in a new message: the commands (an edit's text is the message's own).
  const commands = editing ? [] : commandsStartingWith(text);
  const offers: Offer[] =
    commands.length > 0
      ? commands.map((c) => ({
          key: c.name,
          insert: `/${c.name} `,
          replaces: text.length,
          whole: text.toLowerCase() === `/${c.name}`,
          label: (
            <>
              <span class="offer-command">
                /{c.name} {c.args}
              </span>{' '}
              <span class="muted small">{c.help}</span>
            </>
          ),
        }))
      : prefix !== undefined
        ? [
            // Everyone, in a room of members (a reply kept to its thread mentions its followers, not the room).
            ...('room'.startsWith(prefix.toLowerCase()) && entry && (thread === undefined || alsoToRoom)
              ? [
                  {
                    key: '@room',
                    insert: '@room ',
                    replaces: prefix.length + 1,
                    whole: prefix.toLowerCase() === 'room',
                    label: (
                      <>
                        @room <span class="muted small">everyone in this room</span>
                      </>
                    ),
                  },
                ]
              : []),
            ...store
              .mentionable(room)
              .filter((u) => u.name.toLowerCase().startsWith(prefix.toLowerCase()))
              .slice(0, 6)
              .map((u) => ({
                key: u.id,
                insert: `@${u.name} `,
                replaces: prefix.length + 1,
                whole: u.name.toLowerCase() === prefix.toLowerCase(),
                label: (
                  <>
                    @<bdi>{u.name}</bdi>
                  </>
                ),
              })),
          ]
        : emojiAt !== undefined
          ? emojiSuggestions(emojiAt).map(({ name, emoji }) => ({
              key: name,
              insert: `${emoji} `,
              replaces: emojiAt.length + 1,
              whole: false,
              label: (
                <>
                  <span class="offer-emoji">{emoji}</span> :{name}:
                </>
              ),
            }))
          : [];
  // The offer Enter or Tab takes (arrows move it), as in other chats' autocomplete.
  const [active, setActive] = useState(0);
  const index = Math.min(active, offers.length - 1);
  const chosen = offers[index];
  const pick = (offer: Offer) => {
    setText(`${text.slice(0, text.length - offer.replaces)}${offer.insert}`);
    setActive(0);
    box.current?.focus();
  };
  /** Puts an emoji where the cursor is. */
  const insert = (emoji: string) => {
    const el = box.current;
    const at = el ? el.selectionStart : text.length;
    const end = el ? el.selectionEnd : text.length;
    setText(`${text.slice(0, at)}${emoji}${text.slice(end)}`);
    setPicking(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + emoji.length, at + emoji.length);
    });
  };
  const cancel = () => {
    if (thread !== undefined) return;
    store.editing.value = null;
    store.replyingTo.value = null;
  };
  /** Sends a message where this box sends: the room, or its thread. */
  const sendHere = (message: string) => {
    if (thread === undefined) store.send(message);
    else {
      store.sendInThread(message, alsoToRoom);
      // Each reply is the thread's unless asked again (as Slack's "Also send to").
      setAlsoToRoom(false);
    }
  };
  const submit = () => {
    if (empty || tooLong || uploading || refused) return;
    const typed = editing ? ({ kind: 'message', text } as const) : readTyped(text);
    if (typed.kind === 'unknown') {
      store.notice.value = `/${typed.name} is no command: type / to see them, or start with // to send a message that starts with /`;
      return;
    }
    if (typed.kind === 'command') {
      if (typed.command.stored && !entry) {
        store.notice.value = `/${typed.command.name} works in rooms you belong to, not in an open channel`;
        return;
      }
      setText('');
      void Promise.resolve(typed.command.run(store, { room, send: sendHere }, typed.rest)).then((problem) => {
        if (typeof problem === 'string') store.notice.value = problem;
      });
      box.current?.focus();
      return;
    }
    // An edit leaves the draft as it was (the effect above shows it again); a message empties it.
    if (!editing) setText('');
    if (editing) sendHere(text);
    else sendHere(typed.text);
    box.current?.focus();
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      onDragOver={(event) => {
        if (takesFiles && !archived && event.dataTransfer?.types.includes('Files')) event.preventDefault();
      }}
      onDrop={(event) => {
        const files = [...(event.dataTransfer?.files ?? [])];
        if (files.length === 0 || !takesFiles || archived || editing) return;
        event.preventDefault();
        store.attach(slot, files);
      }}
    >
      {(replying || editing) && (
        <div class="composer-context">
          {editing ? (
            <span>Editing your message</span>
          ) : (
            <span>
              Replying to <bdi>{replying?.mine ? 'yourself' : replying?.from.name}</bdi>:{' '}
              <span class="quoted">
                {textOrFiles(
                  replying?.text ?? '',
                  (replying?.message?.files ?? replying?.files)?.length,
                ).slice(0, 80)}
              </span>
            </span>
          )}
          <button type="button" class="link" onClick={cancel}>
            Cancel
          </button>
        </div>
      )}
      {offers.length > 0 && (
        <ul
          class="mention-suggestions"
          aria-label={
            commands.length > 0 ? 'Commands' : prefix !== undefined ? 'Mention someone' : 'Insert an emoji'
          }
        >
          {offers.map((offer) => (
            <li key={offer.key}>
              <button type="button" aria-current={offer === chosen} onClick={() => pick(offer)}>
                {offer.label}
              </button>
            </li>
          ))}
        </ul>
      )}
      {attachments.length > 0 && (
        <ul class="attachments" aria-label="Files to send">
          {attachments.map((a) => (
            <li key={a.key} class={a.status}>
              {a.preview && <img src={a.preview} alt="" />}
              <bdi class="attachment-name">{a.name}</bdi>
              <span class="size">
                {a.status === 'uploading'
                  ? `${Math.floor((a.sent / Math.max(1, a.size)) * 100)}%`
                  : a.status === 'failed'
                    ? a.error
                    : sizeOf(a.size)}
              </span>
              <button
                type="button"
                class="link"
                aria-label={`Remove ${a.name}`}
                onClick={() => store.detach(slot, a.key)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {picking && (
        <div class="emoji-picker" role="dialog" aria-label="Emoji">
          {EMOJI.map((emoji) => (
            <button type="button" key={emoji} aria-label={`Insert ${emoji}`} onClick={() => insert(emoji)}>
              {emoji}
            </button>
          ))}
        </div>
      )}
      {takesFiles && !editing && !archived && (
        <>
          <button
            type="button"
            class="attach"
            aria-label="Attach files"
            title="Attach files (or paste, or drop them here)"
            onClick={() => picker.current?.click()}
          >
            📎
          </button>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            aria-label="Files to attach"
            onChange={(event) => {
              const input = event.target as HTMLInputElement;
              if (input.files) store.attach(slot, [...input.files]);
              // The same file may be picked again later.
              input.value = '';
            }}
          />
        </>
      )}
      <button
        type="button"
        class="emoji-toggle"
        aria-label="Emoji"
        aria-expanded={picking}
        onClick={() => setPicking(!picking)}
      >
        😊
      </button>
      <textarea
        ref={box}
        id={thread === undefined ? 'composer-text' : 'thread-composer-text'}
        aria-label={thread === undefined ? `Message ${label}` : 'Reply in thread'}
        placeholder={
          archived
            ? 'This room is archived: it can be read, not written to'
            : muted
              ? 'You are muted in this room'
              : thread === undefined
                ? `Message ${label}`
                : 'Reply in thread'
        }
        disabled={archived}
        rows={1}
        value={text}
        onInput={(event) => {
          setText(withEmojiTyped((event.target as HTMLTextAreaElement).value));
          // Editing an old message is not writing a new one, nor is a thread's reply the room's: no typing line.
          if (!editing && thread === undefined) store.typing();
        }}
        onPaste={(event) => {
          // A pasted image (a screenshot) or file goes with the message; pasted text stays text.
          const files = [...(event.clipboardData?.files ?? [])];
          if (files.length === 0 || !takesFiles || editing) return;
          event.preventDefault();
          store.attach(slot, files);
        }}
        onKeyDown={(event) => {
          if (chosen && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
            event.preventDefault();
            const step = event.key === 'ArrowDown' ? 1 : offers.length - 1;
            setActive((index + step) % offers.length);
            return;
          }
          // Enter completes a name or emoji being typed; a name typed whole is sent as it is (Tab still adds the space).
          const enter = event.key === 'Enter' && !event.shiftKey && !event.isComposing;
          if (chosen && (event.key === 'Tab' || (enter && !chosen.whole))) {
            event.preventDefault();
            pick(chosen);
            return;
          }
          if (event.key === 'Escape') {
            // In a thread's empty box, Escape closes the thread (back to the conversation's box).
            if (thread !== undefined && text === '' && !picking) {
              store.closeThread();
              document.getElementById('composer-text')?.focus();
            }
            setPicking(false);
            cancel();
          }
          // Up in an empty box edits this user's last message, as in other chats.
          if (event.key === 'ArrowUp' && text === '' && !editing && !archived && thread === undefined) {
            const last = store.lastEditable(room);
            if (last) {
              event.preventDefault();
              store.editing.value = last;
            }
          }
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <div class="composer-side">
        {thread !== undefined && (
          <label class="also-to-room small">
            <input
              type="checkbox"
              checked={alsoToRoom}
              onChange={(event) => setAlsoToRoom((event.target as HTMLInputElement).checked)}
            />{' '}
            Also send to <bdi>{label}</bdi>
          </label>
        )}
        {text.length > max * 0.8 && (
          <span class={`count${tooLong ? ' over' : ''}`} aria-live="polite">
            {text.length}/{max}
          </span>
        )}
        <span class="send-row">
          {thread === undefined && !editing && entry && (
            // Send later: a new message of a room of members, without files (an upload not sent is dropped in an hour).
            <SchedulePicker
              disabled={text.trim() === '' || tooLong || archived || muted || forMessage.length > 0}
              {...(forMessage.length > 0 ? { why: 'Messages with files are sent now, not scheduled' } : {})}
              onPick={async (at) => {
                const done = await store.scheduleMessage(text, at);
                if (done) setText('');
                return done;
              }}
            />
          )}
          <button type="submit" disabled={empty || tooLong || archived || uploading || refused}>
            {editing ? 'Save' : uploading ? 'Uploading…' : thread === undefined ? 'Send' : 'Reply'}
          </button>
        </span>
      </div>
    </form>
  );
}
