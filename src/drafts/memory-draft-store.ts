import type { Draft } from '../../client/wire/domain.js';
import { type DraftStore, newestFirst } from './draft-store.js';

/** Drafts of the memory engine: per user, a map by room. */
export class MemoryDraftStore implements DraftStore {
  private readonly byUser = new Map<string, Map<string, Draft>>();

  async set(userId: string, draft: Draft, max: number): Promise<boolean> {
    const mine = this.byUser.get(userId) ?? new Map<string, Draft>();
    if (!mine.has(draft.room) && mine.size >= max) return false;
    mine.set(draft.room, { ...draft });
    this.byUser.set(userId, mine);
    return true;
  }

  async clear(userId: string, room: string): Promise<boolean> {
    const mine = this.byUser.get(userId);
    const had = mine?.delete(room) ?? false;
    if (mine?.size === 0) this.byUser.delete(userId);
    return had;
  }

  async ofUser(userId: string): Promise<Draft[]> {
    return [...(this.byUser.get(userId)?.values() ?? [])].map((draft) => ({ ...draft })).sort(newestFirst);
  }
}
