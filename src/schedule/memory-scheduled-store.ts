import {
  type ScheduledFailure,
  type ScheduledRecord,
  type ScheduledStore,
  soonestFirst,
} from './scheduled-store.js';

/**
 * Scheduled messages of the memory engine: one process, so a claim is a lease time on the record. A claim scans
 * every record (a single node's test and development store; the database's claims walk an index).
 */
export class MemoryScheduledStore implements ScheduledStore {
  private readonly byId = new Map<string, { record: ScheduledRecord; leaseUntil?: number }>();
  /** user → their messages' ids (so a user's list and bound do not scan everyone's). */
  private readonly byUser = new Map<string, Set<string>>();

  async add(record: ScheduledRecord, max: number): Promise<boolean> {
    const mine = this.byUser.get(record.userId) ?? new Set<string>();
    if (mine.size >= max || this.byId.has(record.id)) return false;
    mine.add(record.id);
    this.byUser.set(record.userId, mine);
    this.byId.set(record.id, { record: structuredClone(record) });
    return true;
  }

  async ofUser(userId: string): Promise<ScheduledRecord[]> {
    const ids = [...(this.byUser.get(userId) ?? [])];
    return ids
      .map((id) => structuredClone((this.byId.get(id) as { record: ScheduledRecord }).record))
      .sort(soonestFirst);
  }

  async remove(userId: string, id: string): Promise<ScheduledRecord | undefined> {
    const held = this.byId.get(id);
    if (!held || held.record.userId !== userId) return undefined;
    this.forget(held.record);
    return held.record;
  }

  async reschedule(userId: string, id: string, at: number): Promise<ScheduledRecord | undefined> {
    const held = this.byId.get(id);
    if (!held || held.record.userId !== userId) return undefined;
    held.record.at = at;
    delete held.record.failed;
    held.leaseUntil = undefined;
    return structuredClone(held.record);
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<ScheduledRecord[]> {
    const due = [...this.byId.values()]
      .filter((held) => held.record.at <= now && !held.record.failed && (held.leaseUntil ?? 0) <= now)
      .sort((a, b) => soonestFirst(a.record, b.record))
      .slice(0, limit);
    for (const held of due) held.leaseUntil = leaseUntil;
    return due.map((held) => structuredClone(held.record));
  }

  async sent(id: string): Promise<void> {
    const held = this.byId.get(id);
    if (held) this.forget(held.record);
  }

  async fail(id: string, failure: ScheduledFailure): Promise<ScheduledRecord | undefined> {
    const held = this.byId.get(id);
    if (!held) return undefined;
    held.record.failed = { ...failure };
    held.leaseUntil = undefined;
    return structuredClone(held.record);
  }

  private forget(record: ScheduledRecord): void {
    this.byId.delete(record.id);
    const mine = this.byUser.get(record.userId);
    mine?.delete(record.id);
    if (mine?.size === 0) this.byUser.delete(record.userId);
  }
}
