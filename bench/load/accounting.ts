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

/**
 * Where a load-test payload starts in a frame. The load side finds its three numbers after this marker in the raw
 * frame bytes, without decoding the frame: `@` and `|` are never escaped in JSON, and no id, name or room the
 * systems under test write contains `@@`.
 */
const MARKER = Buffer.from('@@');
const BAR = 124;
const DIGIT_0 = 48;

/**
 * Encodes the payload of a load-test message: send time (whole microseconds since the epoch, which a double holds
 * exactly), publisher id, sequence number.
 */
export function encodePayload(sentAtMs: number, publisher: number, seq: number, padding = ''): string {
  return `@@${Math.round(sentAtMs * 1000)}|${publisher}|${seq}|${padding}`;
}

/** Called for every delivery found: send time in microseconds, publisher, sequence. */
export type DeliveryHandler = (sentAtUs: number, publisher: number, seq: number) => void;

/**
 * Finds a load-test payload in a raw frame (any system's framing: JSON object, array or Socket.IO packet) and
 * hands its numbers to `handler`. Returns false when the frame carries none. Reads digits in place: no string, no
 * JSON parse, no allocation per delivery.
 */
export function scanDelivery(frame: Buffer, handler: DeliveryHandler): boolean {
  const at = frame.indexOf(MARKER);
  if (at < 0) return false;
  const afterTime = readNumber(frame, at + 2);
  if (afterTime < 0) return false;
  const sentAtUs = scanned;
  const afterPublisher = readNumber(frame, afterTime);
  if (afterPublisher < 0) return false;
  const publisher = scanned;
  if (readNumber(frame, afterPublisher) < 0) return false;
  handler(sentAtUs, publisher, scanned);
  return true;
}

/** The number {@link readNumber} read last (a module variable: no object per delivery). */
let scanned = 0;

/** Reads decimal digits from `i` up to a `|`; returns the index after the bar, or -1 when there is none. */
function readNumber(frame: Buffer, from: number): number {
  let n = 0;
  let i = from;
  for (; i < frame.length; i += 1) {
    const c = (frame[i] as number) - DIGIT_0;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  if (i === from || frame[i] !== BAR) return -1;
  scanned = n;
  return i + 1;
}
