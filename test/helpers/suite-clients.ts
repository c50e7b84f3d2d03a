/**
 * What the suites run on several stores and clusters (files, webhooks) share: raw clients closed after the test
 * file, a reply's outcome, and a fresh public room that its people joined.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import { randomId } from '../../src/util/ids.js';
import { type Frame, RawClient } from './raw-client.js';

/** The reply's error code, or 'ok'. */
export const outcome = (reply: Frame) => (reply.type === 'error' ? (reply.code as string) : 'ok');

/** A raw client of user `id` (named in capitals) on `node`, closed after the test file. */
export async function clientOf(node: ParleyNode, id: string): Promise<RawClient> {
  const client = await RawClient.connect(`ws://127.0.0.1:${node.port}/ws`, {
    name: id.toUpperCase(),
    user: id,
  });
  after(() => client.close());
  return client;
}

/** A public room of `owner`, its id `prefix` and random letters, that the owner and every other client joined. */
export async function publicRoom(prefix: string, owner: RawClient, ...others: RawClient[]): Promise<string> {
  const id = `${prefix}-${randomId()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`;
  assert.equal(outcome(await owner.request({ type: 'create_room', name: id, id })), 'ok');
  for (const client of [owner, ...others])
    assert.equal(outcome(await client.request({ type: 'join', room: id })), 'ok');
  return id;
}
