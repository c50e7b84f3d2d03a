import type { Socket } from 'node:net';
import { limitKeyOf } from '../transport/client-address.js';

const COUNTED_AS = Symbol('counted as');
/** A socket counted under its peer's address (read once, when it connected). */
type CountedSocket = Socket & { [COUNTED_AS]?: string };

/**
 * Caps the TCP connections one address holds open on this instance, whatever they carry: plain HTTP requests and
 * upgrades in progress as well as WebSockets. The WebSocket limit per address (`--max-connections-per-ip`, close
 * 4029) counts only WebSockets; without this, one address could open thousands of plain connections, each holding a
 * request's headers (or an authenticated body) for up to the handshake timeout. A socket over the cap is destroyed
 * at once, before any byte of it is read. Addresses count as the WebSocket limit counts them ({@link limitKeyOf}:
 * an IPv6 client by its /64).
 *
 * One shared close listener, no closure per socket: the address it was counted under rides on the socket.
 */
export class SocketsPerAddress {
  private readonly open = new Map<string, number>();
  private readonly release: (this: CountedSocket) => void;

  constructor(private readonly max: number) {
    const open = this.open;
    this.release = function release(this: CountedSocket) {
      const address = this[COUNTED_AS];
      if (address === undefined) return;
      this[COUNTED_AS] = undefined;
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    };
  }

  /** Counts the socket while it stays open; false when its address holds `max` already (destroy it). */
  admit(socket: Socket): boolean {
    const peer = socket.remoteAddress;
    // A socket that closed before it was seen has no address: nothing to count.
    if (peer === undefined) return true;
    const address = limitKeyOf(peer);
    const count = this.open.get(address) ?? 0;
    if (count >= this.max) return false;
    this.open.set(address, count + 1);
    (socket as CountedSocket)[COUNTED_AS] = address;
    socket.on('close', this.release);
    return true;
  }

  /** Open sockets of an address (for tests). */
  openFrom(address: string): number {
    return this.open.get(limitKeyOf(address)) ?? 0;
  }
}
