/**
 * Drafts (`set_draft`, `drafts`): what a user typed in a room's message box and has not sent, kept by the server so
 * that every device of theirs finds it, and told to the others as it changes (docs/protocol.md, "Drafts").
 */
import type { Draft } from '../../client/wire/domain.js';
import type { DraftFrame } from '../../client/wire/frames.js';
import { fitToBudget, messageBytes } from '../hub/handlers/reply-budget.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import type { DraftStore } from './draft-store.js';

export interface DraftsDeps {
  store: DraftStore;
  clock: Clock;
  /** `--max-drafts-per-user`. */
  maxPerUser: number;
  /** `--max-text-length`: a draft is at most a message. */
  maxTextLength: number;
  /** Tells every device of the user (their own channel). */
  notify: (user: string, notice: DraftFrame) => void;
}

export class Drafts {
  constructor(private readonly deps: DraftsDeps) {}

  /**
   * Sets the user's draft of a room (`text` blank: none), and tells their devices: the draft as set, with the time
   * it was set (the server's, which orders the changes). A cleared draft that was not there is no news.
   */
  async set(userId: string, room: string, text: string): Promise<void> {
    const { store, clock, maxPerUser, maxTextLength, notify } = this.deps;
    const at = clock.now();
    if (text.trim() === '') {
      if (await store.clear(userId, room)) notify(userId, { type: 'draft', room, text: '', at });
      return;
    }
    if (text.length > maxTextLength)
      throw new ReplyError('text_too_long', `a draft is at most ${maxTextLength} characters, as a message`);
    if (!(await store.set(userId, { room, text, at }, maxPerUser))) {
      throw new ReplyError(
        'draft_limit',
        `at most ${maxPerUser} drafts: send or empty the message box of another room first`,
      );
    }
    notify(userId, { type: 'draft', room, text, at });
  }

  /**
   * The user's drafts from the `skip`th on, the most recently set first, as many as fit in `budget` bytes (`next`:
   * the `skip` of the rest). The whole list is read (at most `--max-drafts-per-user`): `onRead` is told its bytes.
   */
  async list(
    userId: string,
    skip: number,
    budget: number,
    onRead?: (bytes: number) => void,
  ): Promise<{ drafts: Draft[]; next?: number }> {
    const all = await this.deps.store.ofUser(userId);
    onRead?.(all.reduce((bytes, draft) => bytes + messageBytes(draft), 0));
    const { messages, cut } = fitToBudget(all.slice(skip), budget, 'oldest');
    return cut ? { drafts: messages, next: skip + messages.length } : { drafts: messages };
  }
}
