/**
 * Delivery accounting for one client: every publisher's messages reach a room in the order they were sent (all the
 * systems measured keep a publisher's order within a room), so a running sequence check per publisher finds every
 * missing and duplicate delivery without remembering each message.
 */
export interface DeliveryTotals {
  received: number;
  duplicates: number;
  missing: number;
}

export class DeliveryTracker {
  /** Highest sequence seen per publisher. */
  private readonly last = new Map<number, number>();
  received = 0;
  duplicates = 0;
  /** Sequences skipped over (a later one arrived first): counted as missing unless they show up after all. */
  private skipped = 0;

  /** Records a delivery of publisher `publisher`'s message number `seq` (1, 2, 3...). */
  record(publisher: number, seq: number): void {
    this.received += 1;
    const last = this.last.get(publisher) ?? 0;
    if (seq === last + 1) {
      this.last.set(publisher, seq);
      return;
    }
    if (seq <= last) {
      this.duplicates += 1;
      return;
    }
    this.skipped += seq - last - 1;
    this.last.set(publisher, seq);
  }

  /**
   * Totals once publishing ended. `finalSeq` gives, per publisher of this client's room, how many messages it had
   * acknowledged; anything not received up to that is missing.
   */
  totals(finalSeq: ReadonlyMap<number, number>): DeliveryTotals {
    let missing = this.skipped;
    for (const [publisher, final] of finalSeq)
      missing += Math.max(0, final - (this.last.get(publisher) ?? 0));
    return { received: this.received, duplicates: this.duplicates, missing };
  }
}

/** Encodes the payload of a load-test message: send time (ms, fractional), publisher id, sequence number. */
export function encodePayload(sentAt: number, publisher: number, seq: number, padding = ''): string {
  return `${sentAt.toFixed(3)}|${publisher}|${seq}|${padding}`;
}

/** Decodes {@link encodePayload}; undefined for anything else. */
export function decodePayload(text: string): { sentAt: number; publisher: number; seq: number } | undefined {
  const [sentAt, publisher, seq] = text.split('|', 3);
  const parsed = { sentAt: Number(sentAt), publisher: Number(publisher), seq: Number(seq) };
  return Number.isFinite(parsed.sentAt) && Number.isInteger(parsed.publisher) && Number.isInteger(parsed.seq)
    ? parsed
    : undefined;
}
