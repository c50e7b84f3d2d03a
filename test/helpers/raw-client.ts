import WebSocket from 'ws';
import { Collector, within } from './wait.js';

/** A frame received from the server. */
export type Frame = Record<string, unknown> & { type: string };

/**
 * A protocol-level WebSocket client for tests: sends any bytes, records every frame, and waits for replies by
 * `ref` or frames by predicate. The SDK is tested separately; this one can also misbehave on purpose.
 */
export class RawClient {
  readonly frames = new Collector<Frame>();
  readonly closed: Promise<{ code: number; reason: string }>;
  welcome?: Frame;
  private nextRef = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.frames.push(JSON.parse(data.toString()) as Frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('error', () => {});
  }

  /** Connects and waits for the welcome frame (or the close, for refused handshakes: then welcome is unset). */
  static async connect(
    wsUrl: string,
    query: Record<string, string> = { name: 'Tester' },
  ): Promise<RawClient> {
    const url = new URL(wsUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const client = new RawClient(new WebSocket(url));
    const welcome = client.frames.find((f) => f.type === 'welcome', 5000, 'welcome');
    const first = await within(Promise.race([welcome, client.closed]), 5000, 'welcome or close');
    if ('type' in first) client.welcome = first;
    return client;
  }

  /** Resolves with the close code and reason, failing after `timeoutMs`. */
  waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return within(this.closed, timeoutMs, 'the connection to close');
  }

  /** Sends a raw text or binary frame. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a command with a fresh ref and resolves with the reply (or error) carrying that ref. */
  async request(command: Record<string, unknown>, timeoutMs = 10_000): Promise<Frame> {
    const ref = this.nextRef++;
    this.ws.send(JSON.stringify({ ...command, ref }));
    return this.frames.find((f) => f.ref === ref, timeoutMs, `reply to ${String(command.type)} #${ref}`);
  }

  /**
   * Uploads a file: `upload`, then its bytes as binary frames of `chunkBytes` (the server's largest by default), and
   * resolves with what ends it: `uploaded`, or an error (of the command or of its bytes).
   */
  async upload(
    room: string,
    body: Buffer,
    name = 'file.bin',
    options: { mime?: string; chunkBytes?: number; size?: number } = {},
  ): Promise<Frame> {
    const size = options.size ?? body.length;
    const ready = await this.request({
      type: 'upload',
      room,
      name,
      size,
      ...(options.mime !== undefined ? { mime: options.mime } : {}),
    });
    if (ready.type !== 'upload_ready') return ready;
    const chunk = options.chunkBytes ?? (ready.chunkBytes as number);
    for (let at = 0; at < body.length; at += chunk)
      this.ws.send(body.subarray(at, at + chunk), { binary: true });
    return this.frames.find(
      (f) => f.ref === ready.ref && f.type !== 'upload_ready',
      10_000,
      `the end of upload #${String(ready.ref)}`,
    );
  }

  /** Sends a command without waiting for anything. */
  fire(command: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(command));
  }

  /** Frames of a type received so far. */
  ofType(type: string): Frame[] {
    return this.frames.items.filter((f) => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}
