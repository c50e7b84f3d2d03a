import {
  type ChatMessage,
  REACTION_USERS_SHOWN,
  type Reaction,
  THREAD_USERS_SHOWN,
  type ThreadSummary,
} from './domain.js';

/**
 * The message `target` after the action `entry` of its room's log (see {@link ChatMessage.action}): what every
 * client does with an action it receives, live or in a resume. An entry exists only for a change (the server
 * appends none for a reaction already there or a second delete), so a reaction entry always moves the count.
 * Returns `target` itself when the entry is no action on it, or is in it already (`rev`: a message read from
 * history is as it is now, and the resume or page that brought it may hold the actions that made it so).
 */
export function applyAction(target: ChatMessage, entry: ChatMessage): ChatMessage {
  const action = entry.action;
  if (!action || action.target !== target.offset || target.deleted) return target;
  if (target.rev !== undefined && target.rev >= entry.offset) return target;
  switch (action.type) {
    case 'edit':
      return { ...target, text: entry.text, edited: entry.ts, rev: entry.offset };
    case 'delete': {
      const { reactions: _gone, files: _files, forwarded: _forwarded, ...rest } = target;
      return { ...rest, text: '', deleted: true, rev: entry.offset };
    }
    case 'react': {
      const reactions = reacted(target.reactions ?? [], action.emoji, entry.from.id, action.add);
      const { reactions: _old, rev: _rev, ...rest } = target;
      return reactions.length > 0
        ? { ...rest, reactions, rev: entry.offset }
        : { ...rest, rev: entry.offset };
    }
  }
}

/**
 * The root `target` after the thread reply `reply` (see {@link ChatMessage.thread}): what the store does when it
 * appends a reply and every client does with one it receives. Returns `target` itself when `reply` is no reply to it
 * or is in it already (`rev`, as for an action).
 */
export function applyThreadReply(target: ChatMessage, reply: ChatMessage): ChatMessage {
  if (reply.thread !== target.offset) return target;
  if (target.rev !== undefined && target.rev >= reply.offset) return target;
  return { ...target, replies: repliesAfter(target.replies, reply), rev: reply.offset };
}

/** A thread's summary after one more reply, sent at `ts` by `from` (what {@link applyThreadReply} gives the root). */
export function repliesAfter(
  before: ThreadSummary | undefined,
  reply: { ts: number; from: { id: string } },
): ThreadSummary {
  const users = before?.users ?? [];
  return {
    count: (before?.count ?? 0) + 1,
    last: reply.ts,
    users:
      users.includes(reply.from.id) || users.length >= THREAD_USERS_SHOWN ? users : [...users, reply.from.id],
  };
}

/** `reactions` after `user` added or removed `emoji`. */
function reacted(reactions: Reaction[], emoji: string, user: string, add: boolean): Reaction[] {
  const found = reactions.find((r) => r.emoji === emoji);
  if (add) {
    if (!found) return [...reactions, { emoji, count: 1, users: [user] }];
    const users =
      found.users.includes(user) || found.users.length >= REACTION_USERS_SHOWN
        ? found.users
        : [...found.users, user];
    return reactions.map((r) => (r === found ? { emoji, count: found.count + 1, users } : r));
  }
  if (!found) return reactions;
  if (found.count <= 1) return reactions.filter((r) => r !== found);
  const users = found.users.filter((u) => u !== user);
  return reactions.map((r) => (r === found ? { emoji, count: found.count - 1, users } : r));
}

/** The reactions of a message from who reacted with what (`byEmoji`: emoji → users, in first-use order). */
export function reactionsOf(byEmoji: ReadonlyMap<string, readonly string[]>): Reaction[] | undefined {
  const reactions: Reaction[] = [];
  for (const [emoji, users] of byEmoji)
    if (users.length > 0)
      reactions.push({ emoji, count: users.length, users: users.slice(0, REACTION_USERS_SHOWN) });
  return reactions.length > 0 ? reactions : undefined;
}
