/**
 * Incoming webhooks, through the protocol and HTTP: a room's moderators add, list and remove them; a webhook's
 * address posts into its room (from another instance in a cluster), in Slack's payload formats; every refusal.
 * Run on one instance of each store and on a cluster (webhooks.test.ts, webhooks-embedded.test.ts,
 * webhooks-cluster.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParleyNode } from '../../src/index.js';
import type { Frame, RawClient } from './raw-client.js';
import { clientOf, outcome, publicRoom } from './suite-clients.js';

/**
 * @param start the instance clients use, and the one webhooks post to over HTTP (the same one on a single
 *   instance; another of the cluster otherwise)
 */
export function webhooksSuite(
  name: string,
  start: () => Promise<{ chat: ParleyNode; post: ParleyNode }>,
): void {
  describe(`incoming webhooks: ${name}`, async () => {
    const { chat: node, post } = await start();
    const base = `http://127.0.0.1:${post.port}`;
    const as = (id: string) => clientOf(node, id);
    /** A public room of `owner` that the others joined. */
    const roomOf = (owner: RawClient, ...others: RawClient[]) => publicRoom('hooks', owner, ...others);
    const postTo = (path: string, body: unknown, type = 'application/json') =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const answer = async (response: Response) => [response.status, (await response.json()) as Frame] as const;
    const messageFrom = (client: RawClient, room: string, text: string) =>
      client.frames.find((f) => f.type === 'message' && f.room === room && f.text === text, 5000);

    it('a room owner adds a webhook; its address posts into the room; listed without its secret; removed', async () => {
      const alice = await as('alice');
      const bob = await as('bob');
      const room = await roomOf(alice, bob);
      const made = await alice.request({ type: 'create_webhook', room, name: ' Alerts ' });
      assert.equal(made.type, 'webhook', JSON.stringify(made));
      const webhook = made.webhook as { id: string; name: string; createdBy: unknown; createdAt: number };
      assert.equal(webhook.name, 'Alerts', 'trimmed');
      assert.deepEqual(webhook.createdBy, { id: 'alice', name: 'ALICE' });
      const path = made.path as string;
      assert.match(path, new RegExp(`^/hooks/${webhook.id}/[A-Za-z0-9_-]{32}$`));
      const added = await bob.frames.find(
        (f) =>
          f.type === 'message' && f.room === room && (f.event as Frame | undefined)?.type === 'webhook_added',
        5000,
      );
      assert.equal(added.text, 'ALICE added the webhook Alerts');

      const [status, body] = await answer(await postTo(path, { text: 'Disk full on db1' }));
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.ok, true);
      assert.equal(body.room, room);
      const live = await messageFrom(bob, room, 'Disk full on db1');
      assert.deepEqual(live.from, { id: `webhook:${webhook.id}`, name: 'Alerts' });
      assert.equal(live.offset, body.offset);
      const history = await bob.request({ type: 'history', room });
      assert.ok(
        (history.messages as Frame[]).some((m) => m.text === 'Disk full on db1'),
        'kept in history',
      );

      // Slack's form encoding, and its attachments.
      const form = new URLSearchParams({ payload: JSON.stringify({ text: 'from a form' }) }).toString();
      assert.equal((await postTo(path, form, 'application/x-www-form-urlencoded')).status, 200);
      await messageFrom(bob, room, 'from a form');
      const alert = {
        attachments: [
          {
            fallback: 'unused',
            title: '[FIRING:1] HighLatency',
            title_link: 'http://grafana.local/alerting/1',
            text: 'p99 &gt; 200 ms on <http://api.local|api>',
            fields: [{ title: 'severity', value: 'page' }],
          },
        ],
      };
      assert.equal((await postTo(path, alert)).status, 200);
      await messageFrom(
        bob,
        room,
        '[FIRING:1] HighLatency (http://grafana.local/alerting/1)\np99 > 200 ms on api (http://api.local)\nseverity: page',
      );

      const listed = await alice.request({ type: 'webhooks', room });
      assert.equal(listed.type, 'webhooks');
      assert.deepEqual(listed.webhooks, [webhook], 'listed as made, without the secret');

      const wrongSecret = path.replace(/\/[^/]+$/, `/${'x'.repeat(32)}`);
      assert.deepEqual(
        [
          (await postTo(wrongSecret, { text: 'x' })).status,
          (await postTo('/hooks/nope/nope', { text: 'x' })).status,
        ],
        [404, 404],
      );
      assert.equal((await answer(await postTo(wrongSecret, { text: 'x' })))[1].error, 'no_webhook');
      assert.equal((await fetch(`${base}${path}`)).status, 405, 'GET');

      assert.equal(outcome(await alice.request({ type: 'delete_webhook', room, webhook: webhook.id })), 'ok');
      const removed = await bob.frames.find(
        (f) =>
          f.type === 'message' &&
          f.room === room &&
          (f.event as Frame | undefined)?.type === 'webhook_removed',
        5000,
      );
      assert.equal(removed.text, 'ALICE removed the webhook Alerts');
      assert.equal((await postTo(path, { text: 'after' })).status, 404, 'its address posts no more');
      assert.equal(
        outcome(await alice.request({ type: 'delete_webhook', room, webhook: webhook.id })),
        'no_webhook',
      );
      assert.deepEqual((await alice.request({ type: 'webhooks', room })).webhooks, []);
    });

    it("only a room's owners and admins manage its webhooks; none in a direct room; a bound per room", async () => {
      const carol = await as('carol');
      const dan = await as('dan');
      const room = await roomOf(carol, dan);
      const made = await carol.request({ type: 'create_webhook', room, name: 'CI' });
      const id = (made.webhook as { id: string }).id;
      assert.deepEqual(
        [
          outcome(await dan.request({ type: 'create_webhook', room, name: 'Mine' })),
          outcome(await dan.request({ type: 'webhooks', room })),
          outcome(await dan.request({ type: 'delete_webhook', room, webhook: id })),
        ],
        ['forbidden', 'forbidden', 'forbidden'],
        'a member',
      );
      assert.equal(
        outcome(await carol.request({ type: 'set_role', room, user: 'dan', role: 'admin' })),
        'ok',
      );
      assert.equal(outcome(await dan.request({ type: 'webhooks', room })), 'ok', 'an admin');
      assert.equal(
        outcome(await carol.request({ type: 'create_webhook', room: 'no-such-room', name: 'x' })),
        'no_room',
      );
      for (const name of ['', '   ', 'a\u0007b', 'x'.repeat(200)]) {
        assert.equal(
          outcome(await carol.request({ type: 'create_webhook', room, name })),
          'bad_request',
          JSON.stringify(name),
        );
      }
      const direct = await carol.request({ type: 'direct', users: [{ id: 'dan' }] });
      const dm = (direct.room as { id: string }).id;
      assert.equal(
        outcome(await carol.request({ type: 'create_webhook', room: dm, name: 'x' })),
        'direct_room',
      );
      for (let i = 1; i < 10; i += 1) {
        assert.equal(outcome(await carol.request({ type: 'create_webhook', room, name: `Hook ${i}` })), 'ok');
      }
      assert.equal(
        outcome(await carol.request({ type: 'create_webhook', room, name: 'One more' })),
        'webhook_limit',
      );
      assert.equal(((await carol.request({ type: 'webhooks', room })).webhooks as unknown[]).length, 10);
    });

    it('refuses what it cannot post, cuts a long text, and posts nothing to an archived room', async () => {
      const erin = await as('erin');
      const room = await roomOf(erin);
      const path = (await erin.request({ type: 'create_webhook', room, name: 'Bot' })).path as string;
      const refused = async (body: unknown, type?: string) => {
        const [status, reply] = await answer(await postTo(path, body, type));
        return `${status} ${reply.error}`;
      };
      assert.equal(await refused('{"text": '), '400 bad_json');
      assert.equal(await refused([1, 2]), '400 bad_request');
      assert.equal(await refused({ text: '  ', attachments: [{ color: 'red' }] }), '400 text_empty');
      assert.equal(await refused({ text: 'a\u0000b' }), '400 bad_request');
      assert.equal(await refused('text=hi', 'text/plain'), '415 bad_request');
      assert.equal(await refused('text=hi', 'application/x-www-form-urlencoded'), '400 bad_request');
      assert.equal(await refused({ text: 'x'.repeat(70 * 1024) }), '413 bad_request');

      const long = 'y'.repeat(5000);
      const [status, body] = await answer(await postTo(path, { text: long }));
      assert.equal(status, 200);
      const history = await erin.request({
        type: 'history',
        room,
        after: (body.offset as number) - 1,
        limit: 1,
      });
      const kept = (history.messages as Frame[])[0]?.text as string;
      assert.equal(kept.length, 4000, 'cut to the longest text a message may have');
      assert.ok(kept.endsWith('y…'));

      assert.equal(outcome(await erin.request({ type: 'update_room', room, archived: true })), 'ok');
      assert.equal(await refused({ text: 'while archived' }), '409 archived');
      assert.equal(((await erin.request({ type: 'webhooks', room })).webhooks as unknown[]).length, 1);
      assert.equal(outcome(await erin.request({ type: 'create_webhook', room, name: 'x' })), 'archived');
    });
  });
}
