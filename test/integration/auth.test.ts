/** Verified identities: which tokens are refused, what a valid one decides, room rules, refresh and expiry. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import WebSocket from 'ws';
import { ParleyClient } from '../../client/index.js';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { startNode } from '../helpers/nodes.js';
import { RawClient } from '../helpers/raw-client.js';
import { removeQuietly } from '../helpers/remove-quietly.js';
import { nodeWebSocket } from '../helpers/sdk.js';
import { Collector, waitUntil } from '../helpers/wait.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';
const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: Record<string, unknown>, secret = SECRET, expSeconds = 300): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(now() + expSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`), as an attacker would craft it. */
function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, exp: now() + 300 })}.`;
}

async function closeCode(
  url: string,
  token: string,
  extra: Record<string, string> = {},
): Promise<number | 'welcome'> {
  const client = await RawClient.connect(url, { token, ...extra });
  if (client.welcome) {
    client.close();
    return 'welcome';
  }
  return (await client.waitClosed()).code;
}

describe('tokens (HS256 secret)', async () => {
  const node = await startNode({
    auth: 'jwt',
    jwtSecret: SECRET,
    jwtIssuer: 'https://issuer.example',
    jwtAudience: 'parley',
  });
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: 'https://issuer.example',
    aud: 'parley',
    ...extra,
  });

  it('takes the identity from the claims only', async () => {
    const token = await hs256(claims({ sub: 'u-42', name: 'Ada' }));
    const client = await RawClient.connect(node.wsUrl, { token, name: 'Admin', user: 'admin' });
    assert.deepEqual(client.welcome?.user, { id: 'u-42', name: 'Ada' });
    assert.equal(typeof client.welcome?.expiresAt, 'number');
    await client.request({ type: 'join', room: 'lobby' });
    const forged = await client.request({
      type: 'send',
      room: 'lobby',
      text: 'hi',
      cid: 'c1',
      from: { id: 'admin', name: 'Admin' },
    });
    assert.equal(forged.code, 'bad_request', 'no field can carry another identity');
    const sent = await client.request({ type: 'send', room: 'lobby', text: 'hi', cid: 'c2' });
    assert.equal(sent.type, 'sent');
    const message = await client.frames.find((f) => f.type === 'message');
    assert.deepEqual(message.from, { id: 'u-42', name: 'Ada' });
    client.close();
  });

  it('accepts the token in an Authorization header too', async () => {
    const token = await hs256(claims({ sub: 'header-user' }));
    const ws = new WebSocket(node.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const welcome = await new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    assert.deepEqual(welcome.user, { id: 'header-user', name: 'header-user' });
    ws.close();
  });

  it('cleans names from tokens by the rule names typed by users follow', async () => {
    const cases: Array<[string, string]> = [
      ['Ev\u0000il\tname', 'Evilname'],
      ['https://example.com/\u202Eevil', 'https://example.com/evil'],
      ['\u2066Bob\u2069\u200F', 'Bob'],
      ['<b>Bold</b>', '<b>Bold</b>'],
      ['\u0001\u202E', 'cleaned-user'],
    ];
    for (const [raw, expected] of cases) {
      const token = await hs256(claims({ sub: 'cleaned-user', name: raw }));
      const client = await RawClient.connect(node.wsUrl, { token });
      assert.deepEqual(client.welcome?.user, { id: 'cleaned-user', name: expected }, JSON.stringify(raw));
      client.close();
    }
  });

  it('refuses missing, forged, expired, unsigned and mis-addressed tokens', async () => {
    assert.equal(await closeCode(node.wsUrl, ''), CloseCodes.unauthorized, 'no token');
    assert.equal(
      await closeCode(
        node.wsUrl,
        await hs256(claims({ sub: 'x' }), 'another-secret-of-at-least-32-characters'),
      ),
      CloseCodes.unauthorized,
      'wrong key',
    );
    assert.equal(
      await closeCode(node.wsUrl, await hs256(claims({ sub: 'x' }), SECRET, -10)),
      CloseCodes.token_expired,
      'expired',
    );
    assert.equal(
      await closeCode(node.wsUrl, unsigned(claims({ sub: 'x' }))),
      CloseCodes.unauthorized,
      'alg none',
    );
    assert.equal(
      await closeCode(node.wsUrl, await hs256({ sub: 'x', aud: 'parley' })),
      CloseCodes.unauthorized,
      'no issuer',
    );
    assert.equal(
      await closeCode(node.wsUrl, await hs256(claims({ sub: 'x', aud: 'other' }))),
      CloseCodes.unauthorized,
      'wrong audience',
    );
    const noExp = await new SignJWT(claims({ sub: 'x' }))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    assert.equal(await closeCode(node.wsUrl, noExp), CloseCodes.unauthorized, 'tokens must expire');
    assert.equal(await closeCode(node.wsUrl, 'not.a.token'), CloseCodes.unauthorized, 'garbage');
    assert.equal(
      await closeCode(node.wsUrl, await hs256(claims({ sub: 'has space' }))),
      CloseCodes.unauthorized,
      'bad sub',
    );
  });

  it('holds the rooms claim: exact names and prefixes', async () => {
    const token = await hs256(claims({ sub: 'limited', rooms: ['general', 'team-*'] }));
    const client = await RawClient.connect(node.wsUrl, { token });
    assert.equal((await client.request({ type: 'join', room: 'general' })).type, 'joined');
    assert.equal((await client.request({ type: 'join', room: 'team-blue' })).type, 'joined');
    const refused = await client.request({ type: 'join', room: 'secret' });
    assert.deepEqual([refused.code, refused.temporary], ['forbidden', false]);
    assert.equal(
      (await client.request({ type: 'join', room: 'generally' })).code,
      'forbidden',
      'exact means exact',
    );
    client.close();
  });

  it('holds the rooms claim for rooms the user would make theirs: create, accept, direct', async () => {
    const limited = await RawClient.connect(node.wsUrl, {
      token: await hs256(claims({ sub: 'scoped', name: 'Scoped', rooms: ['team-*'] })),
    });
    const owner = await RawClient.connect(node.wsUrl, {
      token: await hs256(claims({ sub: 'scope-owner', name: 'Owner' })),
    });
    const outside = await limited.request({ type: 'create_room', name: 'Spam', id: 'spam-room' });
    assert.deepEqual([outside.code, outside.temporary], ['forbidden', false]);
    const generated = await limited.request({ type: 'create_room', name: 'Spam' });
    assert.equal(generated.code, 'forbidden', 'an id made from the name falls outside the rules too');
    const inside = await limited.request({ type: 'create_room', name: 'Blue', id: 'team-blue-2' });
    assert.equal(inside.type, 'room');
    assert.equal(
      (await limited.request({ type: 'direct', users: [{ id: 'scope-owner' }] })).code,
      'forbidden',
    );
    await owner.request({ type: 'create_room', name: 'Board', id: 'board-room', kind: 'private' });
    await owner.request({ type: 'invite', room: 'board-room', user: 'scoped' });
    assert.equal((await limited.request({ type: 'accept', room: 'board-room' })).code, 'forbidden');
    const list = await limited.request({ type: 'rooms' });
    assert.deepEqual(
      (list.rooms as Array<{ id: string }>).map((r) => r.id),
      ['team-blue-2'],
      'nothing outside the rules was made theirs',
    );
    assert.equal((list.invitations as unknown[]).length, 1, 'the invitation stays for another token');
    // A token allowing direct rooms (their ids start with dm-) may start them.
    const dms = await RawClient.connect(node.wsUrl, {
      token: await hs256(claims({ sub: 'scoped-dm', rooms: ['dm-*'] })),
    });
    const room = await dms.request({ type: 'direct', users: [{ id: 'scope-owner' }] });
    assert.equal(room.type, 'room');
    // ...and nothing else: no public room, no open channel under the prefix.
    const spam = await dms.request({ type: 'create_room', name: 'Spam', id: 'dm-spam' });
    assert.equal(spam.code, 'invalid_room');
    assert.equal((await dms.request({ type: 'create_room', name: 'DM spam' })).code, 'forbidden');
    assert.equal((await dms.request({ type: 'join', room: 'dm-open-channel' })).code, 'no_room');
    for (const client of [limited, owner, dms]) client.close();
  });

  it('refreshes a token in place, only for the same user, and narrows rooms at once', async () => {
    const client = await RawClient.connect(node.wsUrl, {
      token: await hs256(claims({ sub: 'refresher' }), SECRET, 60),
    });
    await client.request({ type: 'join', room: 'open-room' });
    const later = await hs256(claims({ sub: 'refresher', rooms: ['other'] }), SECRET, 600);
    const refreshed = await client.request({ type: 'refresh', token: later });
    assert.equal(refreshed.type, 'refreshed');
    assert.ok((refreshed.expiresAt as number) > (client.welcome?.expiresAt as number));
    const removed = await client.frames.find((f) => f.type === 'room_removed');
    assert.deepEqual(removed, { type: 'room_removed', room: 'open-room', reason: 'forbidden' });
    assert.equal(
      (await client.request({ type: 'send', room: 'open-room', text: 'x', cid: 'x' })).code,
      'not_joined',
    );
    const stolen = await client.request({
      type: 'refresh',
      token: await hs256(claims({ sub: 'someone-else' })),
    });
    assert.equal(stolen.code, 'forbidden');
    const bad = await client.request({ type: 'refresh', token: unsigned(claims({ sub: 'refresher' })) });
    assert.equal(bad.code, 'forbidden');
    client.close();
  });

  it('closes a connection whose token expires unrefreshed with 4010', async () => {
    const client = await RawClient.connect(node.wsUrl, {
      token: await hs256(claims({ sub: 'short' }), SECRET, 2),
    });
    assert.ok(client.welcome);
    const closed = await client.waitClosed();
    assert.equal(closed.code, CloseCodes.token_expired);
  });

  /** An SDK client whose token function hands out `tokenFor(n)` as its nth token; closed after the test. */
  const sdkClient = (tokenFor: (n: number) => Promise<string>) => {
    let issued = 0;
    const client = new ParleyClient({
      url: node.wsUrl,
      token: () => {
        issued += 1;
        return tokenFor(issued);
      },
      webSocket: nodeWebSocket,
    });
    after(() => client.close());
    return { client, issued: () => issued };
  };

  it('SDK: refreshes before expiry with a token function, and stays connected', async () => {
    const { client, issued } = sdkClient(() => hs256(claims({ sub: 'sdk-user' }), SECRET, 3));
    const states = new Collector<string>();
    client.on('state', (s) => states.push(s.status));
    client.connect();
    await client.join('refreshing');
    // A third token is fetched ~4.8 s in, after the first one (3 s) expired: the connection outlived it.
    await waitUntil(() => issued() >= 3, 15_000, 'two refreshes');
    assert.equal(client.state.status, 'connected');
    assert.equal(states.items.filter((s) => s === 'reconnecting').length, 0, 'never dropped');
    assert.equal((await client.send('refreshing', 'still here')).type, 'sent');
  });

  it('SDK: a refreshed token that no longer allows a room takes it out of the client', async () => {
    // The first token allows any room and expires in 2 s; the next ones allow only 'kept'.
    const { client } = sdkClient((n) =>
      hs256(
        claims({ sub: 'sdk-narrowed', ...(n === 1 ? {} : { rooms: ['kept'] }) }),
        SECRET,
        n === 1 ? 2 : 300,
      ),
    );
    const removed = new Collector<{ room: string; reason: string }>();
    client.on('room_removed', ({ room, reason }) => removed.push({ room, reason }));
    client.connect();
    await client.join('kept');
    await client.join('dropped');
    assert.deepEqual(await removed.find(() => true, 10_000), { room: 'dropped', reason: 'forbidden' });
    await assert.rejects(client.send('dropped', 'x'), { code: 'not_joined' });
    assert.equal((await client.send('kept', 'still here')).type, 'sent');
  });
});

describe('tokens (RS256 public key, ES256 JWKS)', async () => {
  let dir: string;
  const rsa = await generateKeyPair('RS256');
  const otherRsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-keys-'));
    await writeFile(join(dir, 'rsa.pem'), await exportSPKI(rsa.publicKey));
    await writeFile(
      join(dir, 'jwks.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' }] }),
    );
  });
  after(() => removeQuietly(dir));

  it('verifies RS256 and refuses HS/RS confusion and foreign keys', async () => {
    const node = await startNode({
      auth: 'jwt',
      jwtPublicKeyFile: join(dir, 'rsa.pem'),
      jwtAlgorithm: 'RS256',
    });
    const sign = (key: CryptoKey) =>
      new SignJWT({ sub: 'rsa-user' })
        .setProtectedHeader({ alg: 'RS256' })
        .setExpirationTime(now() + 60)
        .sign(key);
    assert.equal(await closeCode(node.wsUrl, await sign(rsa.privateKey)), 'welcome');
    assert.equal(
      await closeCode(node.wsUrl, await sign(otherRsa.privateKey)),
      CloseCodes.unauthorized,
      'foreign key',
    );
    // The classic confusion: HS256 "signed" with the server's public key as the HMAC secret.
    const pem = await exportSPKI(rsa.publicKey);
    const confused = await new SignJWT({ sub: 'attacker' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now() + 60)
      .sign(new TextEncoder().encode(pem));
    assert.equal(await closeCode(node.wsUrl, confused), CloseCodes.unauthorized, 'HS/RS confusion');
    assert.equal(
      await closeCode(node.wsUrl, unsigned({ sub: 'attacker' })),
      CloseCodes.unauthorized,
      'alg none',
    );
  });

  it('verifies ES256 through a JWKS file, by key id', async () => {
    const node = await startNode({ auth: 'jwt', jwtJwksFile: join(dir, 'jwks.json') });
    const sign = (kid: string) =>
      new SignJWT({ sub: 'ec-user' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setExpirationTime(now() + 60)
        .sign(ec.privateKey);
    assert.equal(await closeCode(node.wsUrl, await sign('ec-1')), 'welcome');
    assert.equal(await closeCode(node.wsUrl, await sign('unknown')), CloseCodes.unauthorized);
  });
});
