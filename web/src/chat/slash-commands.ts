/**
 * Commands typed in the message box, as in Slack, Mattermost and IRC: `/topic`, `/invite`, `/away` and the like do
 * what the room's menus do, from the keyboard. Each runs the same store action as its button (the server checks it
 * the same way). A text starting with `//` is sent as a message starting with `/`.
 */
import type { ChatStore } from './store.js';

/** A command of the message box. */
export interface SlashCommand {
  /** What is typed after the slash. */
  name: string;
  /** What it takes, as the list of commands shows it (`<text>` needed, `[text]` optional). */
  args: string;
  /** What it does, in a few words. */
  help: string;
  /** Whether it needs a room the user belongs to (a stored room: not an open channel). */
  stored?: boolean;
  /**
   * Does it, from the box of `room` (`send` sends a message where the box sends: the room, or its thread); `rest` is
   * what follows the command's name, trimmed. A text returned is a problem to show.
   */
  run(store: ChatStore, box: CommandBox, rest: string): Promise<unknown> | string | undefined;
}

/** Where a command was typed: the room of the box, and how the box sends a message. */
export interface CommandBox {
  room: string;
  send(text: string): void;
}

const SHRUG = '¯\\_(ツ)_/¯';

/** How an action (`/me waves`) is sent: the text as typed, which chats show as "Alice waves" (IRC's, Slack's). */
export const EMOTE = '/me ';

/** The person named after the command: `@Name` or `Name`. */
const personOf = (rest: string) => rest.replace(/^@/, '').trim();

/** `/away` or `/dnd`, with an optional line: the user's status. */
function availability(name: 'away' | 'dnd', help: string): SlashCommand {
  return {
    name,
    args: '[text]',
    help,
    run: (store, _box, rest) =>
      store.setStatus({ availability: name, ...(rest !== '' ? { text: rest } : {}) }),
  };
}

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  {
    name: 'shrug',
    args: '[message]',
    help: `Sends your message with ${SHRUG}`,
    run: (_store, box, rest) => {
      box.send(rest === '' ? SHRUG : `${rest} ${SHRUG}`);
      return undefined;
    },
  },
  {
    name: 'me',
    args: '<action>',
    help: 'Says what you do: /me waves shows as "You waves"… as your name',
    run: (_store, box, rest) => {
      if (rest === '') return 'What do you do? /me waves';
      box.send(`${EMOTE}${rest}`);
      return undefined;
    },
  },
  {
    name: 'poll',
    args: 'question | option | option…',
    help: 'Asks a question with options; people vote with the numbers under it',
    run: (store, _box, rest) => {
      const [question = '', ...options] = rest.split('|').map((part) => part.trim());
      const given = options.filter((option) => option !== '');
      if (question === '' || given.length < 2 || given.length > 10) {
        return 'A question and 2 to 10 options: /poll Lunch? | Pizza | Sushi';
      }
      store.sendPoll(question, given);
      return undefined;
    },
  },
  {
    name: 'msg',
    args: '@name [message]',
    help: 'Opens your conversation with someone, and sends the message there',
    run: async (store, _box, rest) => {
      const [who = '', ...words] = rest.split(/\s+/);
      if (personOf(who) === '') return 'Whom to message? /msg @name [message]';
      await store.openDirectByNames([personOf(who)]);
      const text = words.join(' ').trim();
      if (text !== '' && store.listed(store.current.value ?? '')?.kind === 'direct') store.send(text);
      return undefined;
    },
  },
  {
    name: 'join',
    args: '<room>',
    help: 'Opens a room by its name (joining it)',
    run: (store, _box, rest) => {
      const name = rest.replace(/^#/, '');
      if (name === '') return 'Which room? /join room-name';
      store.open(name);
      return undefined;
    },
  },
  {
    name: 'invite',
    args: '@name',
    help: 'Invites someone to this room',
    stored: true,
    run: (store, { room }, rest) => {
      if (personOf(rest) === '') return 'Whom to invite? /invite @name';
      return store.inviteByName(room, personOf(rest));
    },
  },
  {
    name: 'topic',
    args: '<text>',
    help: "Sets this room's topic (empty: none)",
    stored: true,
    run: (store, { room }, rest) => store.updateRoom(room, { topic: rest }),
  },
  {
    name: 'rename',
    args: '<name>',
    help: 'Renames this room',
    stored: true,
    run: (store, { room }, rest) => {
      if (rest === '') return 'What name? /rename New name';
      return store.updateRoom(room, { name: rest });
    },
  },
  {
    name: 'leave',
    args: '',
    help: 'Leaves this room',
    run: (store, { room }) => store.leaveRoom(room),
  },
  availability('away', 'Sets your status to away'),
  availability('dnd', 'Do not disturb: no desktop notifications on any device'),
  {
    name: 'back',
    args: '',
    help: 'Clears your status',
    run: (store) => store.setStatus({}),
  },
  {
    name: 'search',
    args: '<words, from:@name, has:file…>',
    help: 'Searches this room',
    stored: true,
    run: (store, { room }, rest) => {
      if (rest === '') return 'Search for what? /search words';
      return store.searchMessages(rest, room);
    },
  },
];

/** What a message box's text asks for: a command with what follows it, an unknown one, a message, or none. */
export type Typed =
  | { kind: 'command'; command: SlashCommand; rest: string }
  | { kind: 'unknown'; name: string }
  | { kind: 'message'; text: string };

/** Reads a message box's text: `/name rest` is a command, `//text` the message `/text`, anything else a message. */
export function readTyped(text: string): Typed {
  if (text.startsWith('//')) return { kind: 'message', text: text.slice(1) };
  const match = /^\/([a-z]+)(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!match || !text.startsWith('/')) return { kind: 'message', text };
  const name = (match[1] as string).toLowerCase();
  const command = SLASH_COMMANDS.find((c) => c.name === name);
  return command ? { kind: 'command', command, rest: (match[2] ?? '').trim() } : { kind: 'unknown', name };
}

/** The commands whose name starts with what is typed after the slash (none once a space follows it). */
export function commandsStartingWith(text: string): SlashCommand[] {
  const match = /^\/([a-z]*)$/i.exec(text);
  if (!match) return [];
  const typed = (match[1] as string).toLowerCase();
  return SLASH_COMMANDS.filter((c) => c.name.startsWith(typed));
}
