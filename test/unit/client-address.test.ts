import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardedClient, limitKeyOf, proxyHops } from '../../src/transport/client-address.js';

describe('client address', () => {
  it('reads --trust-proxy as a number of proxies', () => {
    assert.deepEqual(['no', 'yes', '3'].map(proxyHops), [0, 1, 3]);
  });

  it('takes the X-Forwarded-For entry the farthest trusted proxy wrote, never one the client wrote', () => {
    assert.equal(forwardedClient('203.0.113.5', 1), '203.0.113.5');
    assert.equal(forwardedClient('1.1.1.1, 2.2.2.2,3.3.3.3', 1), '3.3.3.3');
    assert.equal(forwardedClient('1.1.1.1, 2.2.2.2,3.3.3.3', 2), '2.2.2.2');
    assert.equal(forwardedClient('2.2.2.2', 3), '2.2.2.2', 'fewer entries than proxies: the leftmost');
    assert.equal(forwardedClient('203.0.113.5:4711', 1), '203.0.113.5', 'a port some proxies add');
    assert.equal(forwardedClient('[2001:db8::1]:443', 1), '2001:db8::1');
    assert.equal(forwardedClient('2001:db8::1', 1), '2001:db8::1');
    assert.equal(forwardedClient('', 1), undefined);
    assert.equal(forwardedClient('1.1.1.1, ', 1), undefined, 'an empty last entry names nobody');
    assert.equal(forwardedClient('1.1.1.1', 0), undefined, 'no trusted proxy');
    assert.equal(forwardedClient('unknown', 1), undefined, 'no address: not taken');
    assert.equal(forwardedClient(`1.1.1.1, ${'x'.repeat(8000)}`, 1), undefined, 'nor kept, however long');
    assert.equal(forwardedClient('999.1.1.1', 1), undefined);
  });

  it('keys IPv6 addresses by their /64, IPv4 ones (also written as IPv6) by themselves', () => {
    assert.equal(limitKeyOf('203.0.113.5'), '203.0.113.5');
    assert.equal(limitKeyOf('::ffff:203.0.113.5'), '203.0.113.5');
    assert.equal(limitKeyOf('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(limitKeyOf('2001:0DB8:0001:0002::9'), '2001:db8:1:2::/64');
    assert.equal(limitKeyOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(limitKeyOf('::1'), '0:0:0:0::/64');
    assert.equal(limitKeyOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(limitKeyOf('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.equal(limitKeyOf('unknown'), 'unknown');
    assert.equal(limitKeyOf('not:an:address'), 'not:an:address');
    assert.equal(limitKeyOf(''), '');
  });
});
