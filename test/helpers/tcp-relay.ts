import { connect, createServer, type Server, type Socket } from 'node:net';
import { after } from 'node:test';

/**
 * A TCP relay in front of a server, which a test can cut: every relayed connection is dropped at once, and new ones
 * are refused until the test lets them through again. So a client's reconnect cannot race what the test does while
 * the client is away.
 */
export class TcpRelay {
  private readonly open = new Set<Socket>();
  private refusing = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpRelay> {
    let relay: TcpRelay | undefined;
    const server = createServer((inbound) => relay?.accept(inbound, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('relay has no port');
    relay = new TcpRelay(server, address.port);
    after(() => relay?.close());
    return relay;
  }

  /** Drops every relayed connection and refuses new ones until {@link resume}. */
  cut(): void {
    this.refusing = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  resume(): void {
    this.refusing = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(inbound: Socket, targetPort: number): void {
    if (this.refusing) {
      inbound.destroy();
      return;
    }
    const outbound = connect(targetPort, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      this.open.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.open.delete(socket);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }
}
