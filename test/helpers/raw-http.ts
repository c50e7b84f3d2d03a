import { connect } from 'node:net';

/** What a raw HTTP exchange came to. */
export interface RawHttpResult {
  /** The status code of the response's status line, if one came. */
  status?: number;
  /** The first line received (for failure messages). */
  firstLine: string;
  /** True when the server closed the connection (rather than the client giving up). */
  closedByServer: boolean;
  /** Milliseconds from connecting to the end. */
  elapsedMs: number;
}

/**
 * Sends `chunks` over a fresh TCP connection (each after `gapMs`; none at all for a silent socket) and reads until
 * the server closes the connection, a complete response head has come and `closeAfterHead` is set, or `giveUpMs`
 * passes. Any bytes at all may be sent: this is how the HTTP edge is attacked.
 */
export function rawHttp(
  port: number,
  chunks: Array<string | Buffer>,
  options: { gapMs?: number; giveUpMs?: number; closeAfterHead?: boolean } = {},
): Promise<RawHttpResult> {
  const { gapMs = 0, giveUpMs = 5000, closeAfterHead = true } = options;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      socket.destroy();
      const firstLine = received.split('\r\n')[0] ?? '';
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(firstLine);
      resolve({
        status: match ? Number(match[1]) : undefined,
        firstLine,
        closedByServer,
        elapsedMs: Date.now() - started,
      });
    };
    socket.on('data', (data) => {
      received += data.toString('latin1');
      if (closeAfterHead && received.includes('\r\n\r\n')) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      chunks.forEach((chunk, i) => {
        timers.push(
          setTimeout(() => {
            if (!done) socket.write(chunk);
          }, i * gapMs),
        );
      });
    });
    timers.push(setTimeout(() => finish(false), giveUpMs));
  });
}
