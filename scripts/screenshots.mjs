#!/usr/bin/env node
// Takes the README's screenshots (docs/screenshots/) of the chat and the dashboard: two instances in this process
// sharing a private redis-server, driven by Debian's Chromium. Run after `npm run build`: npm run screenshots
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createNode, makeConfig } from '../dist/src/index.js';

const out = new URL('../docs/screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const redisPort = 20000 + Math.floor(Math.random() * 10000);
const dir = mkdtempSync(join(tmpdir(), 'parley-shots-'));
const redis = spawn(
  'redis-server',
  ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', dir],
  {
    stdio: 'ignore',
  },
);
await pause(300);
const nodes = [];
for (const id of ['node-1', 'node-2']) {
  const node = createNode(
    makeConfig({
      port: 0,
      host: '127.0.0.1',
      nodeId: id,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      store: 'redis',
      logLevel: 'silent',
    }),
  );
  await node.start();
  nodes.push(node);
}
const browser = await chromium.launch({
  executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const person = async (name, node, options = {}) => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 640 }, ...options });
    const page = await context.newPage();
    await page.goto(node.url);
    await page.fill('#name', name);
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('.status[data-status="connected"]', { state: 'attached' });
    return page;
  };
  const say = async (page, text) => {
    await page.fill('#composer-text', text);
    await page.press('#composer-text', 'Enter');
    await pause(150);
  };
  const alice = await person('Alice', nodes[0]);
  const bob = await person('Bob', nodes[1], { colorScheme: 'dark' });
  const phone = await person('Dana', nodes[1], { viewport: { width: 390, height: 760 }, isMobile: true });
  await say(alice, 'Morning! The release notes are at https://example.com/notes');
  await say(bob, 'Thanks. <b>HTML</b> stays text here, by the way.');
  await say(phone, 'On my phone, reading along');
  await say(alice, 'Two instances, one room:\nI am on node-1, Bob is on node-2.');
  await bob.fill('#join-room', 'design');
  await bob.press('#join-room', 'Enter');
  await pause(200);
  await say(bob, 'New mockups are up');
  await bob.click('.rooms button:has-text("lobby")');
  await bob.type('#composer-text', 'Looks go');
  await pause(400);
  await alice.screenshot({ path: join(out, 'chat.png') });
  await bob.screenshot({ path: join(out, 'chat-dark.png') });
  await phone.screenshot({ path: join(out, 'chat-phone.png') });
  const dashboard = await (await browser.newContext({ viewport: { width: 1200, height: 860 } })).newPage();
  await dashboard.goto(`${nodes[0].url}/dashboard`);
  for (let i = 0; i < 12; i += 1) {
    await say(i % 2 ? alice : bob, `traffic ${i}`);
    await pause(350);
  }
  await dashboard.screenshot({ path: join(out, 'dashboard.png'), fullPage: true });
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  for (const node of nodes) await node.shutdown();
  redis.kill();
  rmSync(dir, { recursive: true, force: true });
}
