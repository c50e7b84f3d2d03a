/**
 * The shipped nginx configuration in front of three instances, attacked with the request targets that once crashed
 * an instance: nginx normalises `//a:99999/../ws` to `/ws` for routing, forwards the raw target, and with
 * `proxy_next_upstream error` retried it on every instance, so one request used to kill all three. Every instance
 * must answer and stay up.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Nginx } from '../helpers/nginx.js';
import { startInstanceGroup } from '../helpers/processes.js';
import { rawHttp } from '../helpers/raw-http.js';
import { watchedClient } from '../helpers/sdk.js';

const TARGETS = ['//a:99999/../ws', '//a:99999/ws', '//[/ws', '//%zz/ws', '//user@:1/ws', '//[/../ws'];

describe('nginx in front of three instances, under bad request targets', async () => {
  const { nodes } = await startInstanceGroup(3, 'ngxedge', ['--trust-proxy', 'yes']);
  const nginx = await Nginx.start(nodes.map((n) => n.port));
  after(() => nginx.stop());

  it('answers each bad target with a 4xx and keeps every instance up', async () => {
    for (const target of TARGETS) {
      for (const upgrade of [true, false]) {
        const head = upgrade ? 'Upgrade: websocket\r\nConnection: Upgrade\r\n' : 'Connection: close\r\n';
        const result = await rawHttp(nginx.port, [`GET ${target} HTTP/1.1\r\nHost: x\r\n${head}\r\n`]);
        assert.ok(
          result.status !== undefined && result.status >= 400 && result.status < 500,
          `${upgrade ? 'upgrade' : 'GET'} ${target} through nginx: ${result.firstLine}`,
        );
      }
    }
    for (const node of nodes) {
      assert.equal(node.child.exitCode, null, `${node.nodeId} exited: ${node.logs.join('\n')}`);
      assert.equal((await fetch(`${node.httpUrl}/healthz`)).status, 200);
    }
    // And the cluster still chats through nginx.
    const watched = watchedClient({ url: nginx.wsUrl, name: 'after' });
    watched.client.connect();
    await watched.client.join('after-attack');
    const sent = await watched.client.send('after-attack', 'still here');
    assert.equal(sent.offset, 1);
    watched.client.close();
  });
});
