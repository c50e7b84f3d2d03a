/**
 * The SDK re-sends a command whose answer a dropped connection took with it, unless running it twice would do
 * something else: a second `create_room` made a second room, a second `kick` was refused because the first one
 * had removed the member. Those fail with `interrupted` instead; a command that never left the client is sent on
 * the next connection whatever it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParleyError } from '../../client/errors.js';
import { scriptedClient, settle } from '../helpers/scripted-client.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );

describe('SDK: commands in flight when the connection drops', () => {
  it('re-sends a send and a reaction, and fails a room creation and a kick with interrupted', async () => {
    const { client, connected } = scriptedClient();
    client.connect();
    const first = await connected(1);
    const sent = client.send('r', 'hello', 'cid-1');
    const reacted = client.react('r', 3, '👍');
    const created = failure(client.createRoom('Team'));
    const kicked = failure(client.kick('r', 'pete'));
    await settle();
    assert.deepEqual(
      first.sent.map((c) => c.type),
      ['send', 'react', 'create_room', 'kick'],
    );

    first.drop(4001);
    for (const error of [await created, await kicked]) {
      assert.ok(error instanceof ParleyError);
      assert.equal(error.code, 'interrupted');
      assert.equal(error.temporary, false);
    }
    const second = await connected(2);
    const again = second.sent as Array<{ type: string; ref: number; cid?: string }>;
    assert.deepEqual(
      again.map((c) => c.type),
      ['send', 'react'],
    );
    assert.equal(again[0]?.cid, 'cid-1', 'the same client message id: published once');
    second.read({
      type: 'sent',
      ref: again[0]?.ref,
      room: 'r',
      id: 'm1',
      offset: 1,
      epoch: 'e',
      ts: 1,
      duplicate: true,
    } as never);
    assert.equal((await sent).duplicate, true);
    second.read({ type: 'acted', ref: again[1]?.ref, room: 'r', message: { offset: 3 } } as never);
    await reacted;
    client.close();
  });

  it('sends a room creation made while disconnected on the next connection', async () => {
    const { client, connected } = scriptedClient();
    client.connect();
    const first = await connected(1);
    first.drop(4001);
    const created = client.createRoom('Team');
    const second = await connected(2);
    const command = second.sent.find((c) => c.type === 'create_room');
    assert.ok(command, 'sent once connected');
    second.read({ type: 'room', ref: command.ref, room: { id: 'team-1', name: 'Team' } } as never);
    assert.equal((await created).id, 'team-1');
    assert.equal(first.sent.length, 0);
    client.close();
  });
});
