import type { Draft } from '../../client/wire/domain.js';

/**
 * Where users' drafts are kept (`set_draft`): what each typed in a room's message box and has not sent, one per user
 * and room, kept where rooms are (in memory, or in the database) so that every device of theirs finds it
 * (docs/protocol.md, "Drafts").
 */
export interface DraftStore {
  /**
   * Sets a user's draft of a room (replacing theirs, whatever its time: the server's order is the order of the
   * changes). False, changing nothing, when it is a new one and they keep `max` drafts already.
   */
  set(userId: string, draft: Draft, max: number): Promise<boolean>;
  /** Takes a user's draft of a room away: whether there was one. */
  clear(userId: string, room: string): Promise<boolean>;
  /** A user's drafts, the most recently set first (then by room): at most the bound a user keeps, read whole. */
  ofUser(userId: string): Promise<Draft[]>;
}

/** The order of a user's list: the most recently set first, then by room. */
export function newestFirst(a: Draft, b: Draft): number {
  return b.at - a.at || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0);
}
