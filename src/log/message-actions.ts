import type { ChatMessage } from '../engine/types.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { ActionDraft } from './room-log.js';

/** What a log knows of the target's reactions when deciding a reaction. */
export interface ReactionFacts {
  /** The actor reacted with the draft's emoji already. */
  mine: boolean;
  /** Somebody reacted with the draft's emoji already. */
  used: boolean;
  /** Distinct emoji on the message. */
  distinct: number;
}

/**
 * The rules of {@link RoomLog.act}, one place for every backend: refuses the action (throws a ReplyError) or says
 * whether it changes anything (false: a reaction already there or not there, a delete of a deleted message).
 */
export function decideAction(
  draft: ActionDraft,
  target: ChatMessage | undefined,
  reactions: ReactionFacts,
): boolean {
  const { action } = draft;
  // System events and actions are no messages of anyone's: nothing acts on them.
  if (!target || target.event || target.action) throw new ReplyError('no_message');
  if (target.deleted) {
    if (action.type === 'delete') return false;
    throw new ReplyError('no_message', 'the message was deleted');
  }
  switch (action.type) {
    case 'edit':
      if (target.from.id !== draft.from.id) throw new ReplyError('not_author');
      return true;
    case 'delete':
      if (target.from.id !== draft.from.id && !draft.moderator) throw new ReplyError('not_author');
      return true;
    case 'react':
      if (action.add === reactions.mine) return false;
      if (action.add && !reactions.used && reactions.distinct >= draft.maxReactions)
        throw new ReplyError('reaction_limit');
      return true;
  }
}

/** The text an action's entry keeps: the new text of an edit, nothing otherwise. */
export function entryText(draft: ActionDraft): string {
  return draft.action.type === 'edit' ? (draft.text ?? '') : '';
}

/**
 * The rule for a thread's root (RoomLog.append with `thread`), one place for every backend: a chat message still in
 * the log, not deleted and not itself a thread reply (threads do not nest). Throws a ReplyError otherwise.
 */
export function checkThreadRoot(root: ChatMessage | undefined): asserts root is ChatMessage {
  if (!root || root.event || root.action) throw new ReplyError('no_message', 'the thread has no such root');
  if (root.deleted) throw new ReplyError('no_message', "the thread's root was deleted");
  if (root.thread !== undefined)
    throw new ReplyError('no_message', "a thread reply has no thread: reply in its root's thread");
}
