import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { makeConfig } from '../../src/config/config.js';
import { Admission } from '../../src/transport/admission.js';
import { ManualClock } from '../../src/util/clock.js';

const request = (headers: Record<string, string>, remoteAddress = '10.0.0.9') =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('admission', () => {
  it('counts connections per address and per user, and frees them on release', () => {
    const admission = new Admission(
      makeConfig({ maxConnectionsPerIp: 2, maxConnectionsPerUser: 1 }),
      new ManualClock(),
    );
    assert.equal(admission.acquire('1.1.1.1', 'ann'), true);
    assert.equal(admission.acquire('1.1.1.1', 'ann'), false, 'the user limit');
    assert.equal(admission.acquire('1.1.1.1', 'bob'), true);
    assert.equal(admission.acquire('1.1.1.1', 'cat'), false, 'the address limit');
    assert.equal(admission.userCount, 2);
    admission.release('1.1.1.1', 'ann');
    assert.deepEqual(admission.userIds(), ['bob']);
    assert.equal(admission.acquire('1.1.1.1', 'cat'), true);
  });

  it("moves its users version when a user comes or goes, not for a user's further connections", () => {
    const admission = new Admission(makeConfig({ maxConnectionsPerUser: 0 }), new ManualClock());
    const start = admission.usersVersion;
    admission.acquire('1.1.1.1', 'ann');
    const annIn = admission.usersVersion;
    assert.notEqual(annIn, start, 'a first connection');
    admission.acquire('1.1.1.2', 'ann');
    assert.equal(admission.usersVersion, annIn, 'a second connection of the same user');
    admission.release('1.1.1.2', 'ann');
    assert.equal(admission.usersVersion, annIn, 'ann is still here');
    admission.release('1.1.1.1', 'ann');
    assert.notEqual(admission.usersVersion, annIn, 'ann left');
    assert.deepEqual(admission.userIds(), []);
  });

  it('checks the Origin allowlist; clients without an Origin are not browsers and pass', () => {
    const admission = new Admission(
      makeConfig({ allowedOrigins: 'https://chat.example.com' }),
      new ManualClock(),
    );
    assert.equal(admission.originAllowed(request({ origin: 'https://chat.example.com' })), true);
    assert.equal(admission.originAllowed(request({ origin: 'https://evil.example' })), false);
    assert.equal(admission.originAllowed(request({})), true);
  });

  it('takes the client address from X-Forwarded-For only behind a trusted proxy, as the proxy wrote it', () => {
    // The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
    const forwarded = request({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5' });
    assert.equal(new Admission(makeConfig({}), new ManualClock()).clientIp(forwarded), '10.0.0.9');
    const trusting = new Admission(makeConfig({ trustProxy: 'yes' }), new ManualClock());
    assert.equal(trusting.clientIp(forwarded), '203.0.113.5', 'never the entry the client wrote');
    assert.equal(trusting.clientIp(request({ 'x-forwarded-for': '' })), '10.0.0.9');
    // What no proxy writes (garbage, or 16 KB of it) is no address: the connection counts as the proxy's.
    assert.equal(
      trusting.clientIp(request({ 'x-forwarded-for': `1.1.1.1, ${'z'.repeat(8000)}` })),
      '10.0.0.9',
    );
    // A CDN in front of the load balancer: two proxies, the second entry from the right.
    const chain = new Admission(makeConfig({ trustProxy: '2' }), new ManualClock());
    const twice = request({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 172.16.0.3' });
    assert.equal(chain.clientIp(twice), '198.51.100.7');
    assert.equal(chain.clientIp(request({ 'x-forwarded-for': '198.51.100.7' })), '198.51.100.7');
  });

  it('counts an IPv6 client by its /64, so new addresses of the same network share its limits', () => {
    const clock = new ManualClock(1_000_000);
    const admission = new Admission(
      makeConfig({ maxConnectionsPerIp: 2, maxConnectionsPerUser: 0, handshakesPerIpPerSec: 1 }),
      clock,
    );
    assert.equal(admission.acquire('2001:db8:1:2::a', 'ann'), true);
    assert.equal(admission.acquire('2001:DB8:1:2:ffff:0:0:b', 'bob'), true);
    assert.equal(admission.acquire('2001:db8:1:2::c', 'cat'), false, 'the same /64');
    assert.equal(admission.acquire('2001:db8:1:3::c', 'cat'), true, 'another /64');
    admission.release('2001:db8:1:2::a', 'ann');
    assert.equal(admission.acquire('2001:db8:1:2::d', 'dan'), true, 'released under the same key');
    // IPv4 on a dual-stack socket counts as itself: three such addresses are three (not one IPv6 /64), and the
    // written-out form is the same address.
    for (const [ip, user] of [
      ['::ffff:192.0.2.1', 'eve'],
      ['::ffff:192.0.2.2', 'fay'],
      ['::ffff:192.0.2.3', 'gus'],
      ['192.0.2.1', 'hal'],
    ] as const)
      assert.equal(admission.acquire(ip, user), true, `${ip}: its own address`);
    assert.equal(admission.acquire('::ffff:192.0.2.1', 'ian'), false, '192.0.2.1 holds two');
    // Handshakes too: a burst of two, then the /64 waits.
    assert.deepEqual(
      ['2001:db8::1', '2001:db8::2', '2001:db8::3'].map((ip) => admission.handshakeAllowed(ip)),
      [true, true, false],
    );
  });

  it('reads no address when nothing needs it: no per-address limit and no trusted proxy', () => {
    const admission = new Admission(
      makeConfig({ maxConnectionsPerIp: 0, handshakesPerIpPerSec: 0, maxConnectionsPerUser: 1 }),
      new ManualClock(),
    );
    assert.equal(admission.readsAddress, false);
    assert.equal(admission.clientIp(request({})), '', 'the socket is not asked');
    assert.equal(admission.acquire('', 'ann'), true);
    assert.equal(admission.acquire('', 'ann'), false, 'users are still counted');
    assert.equal(admission.acquire('', 'bob'), true);
    admission.release('', 'ann');
    assert.deepEqual(admission.userIds(), ['bob']);
    const limited = new Admission(
      makeConfig({ maxConnectionsPerIp: 0, handshakesPerIpPerSec: 5 }),
      new ManualClock(),
    );
    assert.equal(limited.clientIp(request({})), '10.0.0.9', 'a handshake limit needs it');
  });

  it('limits handshakes per address with a bucket that refills with time', () => {
    const clock = new ManualClock(1_000_000);
    const admission = new Admission(makeConfig({ handshakesPerIpPerSec: 2 }), clock);
    const taken = Array.from({ length: 6 }, () => admission.handshakeAllowed('1.1.1.1'));
    assert.deepEqual(taken, [true, true, true, true, false, false], 'a burst of twice the rate');
    assert.equal(admission.handshakeAllowed('2.2.2.2'), true, 'per address');
    clock.advance(1000);
    assert.equal(admission.handshakeAllowed('1.1.1.1'), true);
  });
});
