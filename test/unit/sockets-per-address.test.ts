/** SocketsPerAddress: the open TCP connections of each address, counted until they close. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { SocketsPerAddress } from '../../src/http/sockets-per-address.js';

const socketFrom = (remoteAddress: string | undefined) =>
  Object.assign(new EventEmitter(), { remoteAddress }) as unknown as Socket;

describe('SocketsPerAddress', () => {
  it('admits up to the cap per address, and one more once one of them closed', () => {
    const cap = new SocketsPerAddress(2);
    const [a1, a2, a3] = [socketFrom('10.0.0.1'), socketFrom('10.0.0.1'), socketFrom('10.0.0.1')];
    assert.equal(cap.admit(a1), true);
    assert.equal(cap.admit(a2), true);
    assert.equal(cap.admit(a3), false, 'the third of one address');
    assert.equal(cap.admit(socketFrom('10.0.0.2')), true, 'another address has its own count');
    a1.emit('close');
    a1.emit('close');
    assert.equal(cap.openFrom('10.0.0.1'), 1, 'a socket is released once');
    assert.equal(cap.admit(a3), true);
    a2.emit('close');
    a3.emit('close');
    assert.equal(cap.openFrom('10.0.0.1'), 0);
    assert.equal(cap.admit(socketFrom(undefined)), true, 'a socket closed before it was seen is not counted');
  });
});
