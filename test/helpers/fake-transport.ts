import type { Transport } from '../../src/transport/transport.js';

/**
 * An in-memory transport for unit tests: records frames, and can be told to stall (frames pile up in its
 * "socket buffer" until `drain()`) or to fail writes.
 */
export class FakeTransport implements Transport {
  readonly written: Buffer[] = [];
  closedWith?: { code: number; reason: string };
  terminated = false;
  paused = false;
  stalled = false;
  failWrites = false;
  private buffered = 0;
  private drainListeners: Array<() => void> = [];

  send(frame: Buffer): void {
    if (this.failWrites) throw new Error('write failed');
    this.written.push(frame);
    if (this.stalled) this.buffered += frame.length;
  }

  get bufferedAmount(): number {
    return this.buffered;
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  /** Empties the socket buffer and fires drain. */
  drain(): void {
    this.buffered = 0;
    this.stalled = false;
    for (const listener of this.drainListeners) listener();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  close(code: number, reason: string): void {
    this.closedWith ??= { code, reason };
  }

  terminate(): void {
    this.terminated = true;
  }

  /** Frames written so far, parsed. */
  frames(): Array<Record<string, unknown>> {
    return this.written.map((b) => JSON.parse(b.toString()) as Record<string, unknown>);
  }
}
