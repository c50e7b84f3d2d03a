/**
 * Scheduled messages in the web UI, in Chromium: the clock beside Send and its times, the room's line and the
 * sidebar's list, a message taken back to edit, one deleted, and what the server does at the time (sent: it leaves
 * the list as the members see it come; refused: it stays, saying why). The server looks for due messages every
 * 50 ms; the messages that come due in the test are scheduled 3 s ahead through the protocol, as the same user
 * (a time of one's own in the UI is to the minute).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  composerHolds,
  hasChromium,
  launchBrowser,
  lowContrastText,
  messageAction,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';

/** The user id this tab signed in as (anonymous: kept in the browser, by name). */
const userIdOf = (page: Page, name: string) =>
  page.evaluate(
    (key) => (JSON.parse(localStorage.getItem('parley.ids') ?? '{}') as Record<string, string>)[key],
    name,
  );

describe('scheduled messages in the web UI', { skip: !hasChromium() }, async () => {
  const server = await spawnServer(['--schedule-poll-ms', '50']);
  const browser = await launchBrowser();
  const alice = await signIn(browser, server.httpUrl, 'Alice');
  const bob = await signIn(browser, server.httpUrl, 'Bob');
  /** A protocol connection as the same user as a tab (their other device). */
  const deviceOf = async (page: Page, name: string) => {
    const client = await RawClient.connect(server.wsUrl, {
      name,
      user: (await userIdOf(page, name.toLowerCase())) ?? '',
    });
    after(() => client.close());
    // The room the tabs made is "Later" by name; its id is the server's.
    const list = await client.request({ type: 'rooms' });
    const room =
      (list.rooms as Array<{ id: string; name: string }>).find((r) => r.name === 'Later')?.id ?? '';
    assert.equal((await client.request({ type: 'join', room })).type, 'joined');
    return { client, room };
  };
  const roomLine = (page: Page) => page.locator('.conversation .scheduled-toggle');

  it('schedules from the clock beside Send, lists the message, takes it back to edit, deletes one', async () => {
    await alice.fill('#new-room', 'Later');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Later' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Later' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Later' }).waitFor(WAIT);

    const clock = alice.locator('button[aria-label="Schedule for later"]');
    assert.equal(await clock.isDisabled(), true, 'nothing to schedule in an empty box');
    await alice.fill('#composer-text', 'Agenda for tomorrow');
    await clock.click();
    await alice.locator('.schedule-menu button', { hasText: 'Tomorrow at 9:00' }).click(WAIT);
    await composerHolds(alice, '');
    await roomLine(alice)
      .filter({ hasText: /^1 scheduled message$/ })
      .click(WAIT);
    const item = alice.locator('.scheduled.in-room .scheduled-item', { hasText: 'Agenda for tomorrow' });
    await item.waitFor(WAIT);
    const when = await item.locator('time').getAttribute('datetime');
    const tomorrow9 = await alice.evaluate(() => {
      const day = new Date();
      day.setDate(day.getDate() + 1);
      day.setHours(9, 0, 0, 0);
      return day.toISOString();
    });
    assert.equal(when, tomorrow9);
    // The sidebar lists every room's, with the room.
    await alice
      .locator('.sidebar button.scheduled-toggle', { hasText: 'Scheduled messages (1)' })
      .click(WAIT);
    await alice
      .locator('.sidebar .scheduled .scheduled-item', { hasText: 'Agenda for tomorrow' })
      .locator('.result-head', { hasText: 'Later' })
      .waitFor(WAIT);
    assert.deepEqual(await lowContrastText(alice), []);
    assert.equal(await shownMessage(bob, 'Agenda for tomorrow').count(), 0, 'nobody else sees it');

    await item.locator('button', { hasText: 'Edit' }).click();
    await composerHolds(alice, 'Agenda for tomorrow');
    await alice.locator('.sidebar .scheduled .empty').waitFor(WAIT);
    assert.equal(await roomLine(alice).count(), 0, 'no longer scheduled');

    // A time of one's own (the box offers an hour from now), then deleted.
    await alice.fill('#composer-text', 'Agenda, amended');
    await clock.click();
    await alice.locator('.schedule-menu button.custom', { hasText: 'Schedule' }).click(WAIT);
    await composerHolds(alice, '');
    const amended = alice.locator('.sidebar .scheduled .scheduled-item', { hasText: 'Agenda, amended' });
    await amended.locator('button', { hasText: 'Delete' }).click(WAIT);
    await alice.locator('.sidebar .scheduled .empty').waitFor(WAIT);

    // In an hour, then "Send now": it goes at once.
    await alice.fill('#composer-text', 'On second thought, now');
    await clock.click();
    await alice.locator('.schedule-menu button', { hasText: 'In 1 hour' }).click(WAIT);
    await composerHolds(alice, '');
    const now = alice.locator('.sidebar .scheduled .scheduled-item', { hasText: 'On second thought, now' });
    await now.locator('button', { hasText: 'Send now' }).click(WAIT);
    await shownMessage(bob, 'On second thought, now').waitFor(WAIT);
    await alice.locator('.sidebar .scheduled .empty').waitFor(WAIT);
  });

  it('shows a message sent when due leave the list, and one the room refused stay with the reason', async () => {
    const { client: alicePhone, room } = await deviceOf(alice, 'Alice');
    const sent = await alicePhone.request({
      type: 'schedule',
      room,
      text: 'Sent by itself',
      at: Date.now() + 3000,
    });
    assert.equal(sent.type, 'scheduled');
    // Her tab hears of it from the other device, then of its sending.
    await roomLine(alice)
      .filter({ hasText: /^1 scheduled message$/ })
      .waitFor(WAIT);
    await shownMessage(bob, 'Sent by itself').waitFor(WAIT);
    await shownMessage(alice, 'Sent by itself').waitFor(WAIT);
    await roomLine(alice).waitFor({ ...WAIT, state: 'detached' });

    const { client: bobPhone } = await deviceOf(bob, 'Bob');
    const scheduled = await bobPhone.request({
      type: 'schedule',
      room,
      text: 'Bob was here',
      at: Date.now() + 3000,
    });
    assert.equal(scheduled.type, 'scheduled');
    // Muted before its time: it fails, and says so where Bob looks.
    const muted = await alicePhone.request({ type: 'mute', room, user: await userIdOf(bob, 'bob') });
    assert.equal(muted.type, 'done');
    await roomLine(bob).filter({ hasText: '1 scheduled message, 1 not sent' }).click(WAIT);
    await bob
      .locator('.scheduled.in-room .scheduled-item.failed .scheduled-failed', { hasText: /^Not sent: / })
      .waitFor(WAIT);
    assert.equal(await shownMessage(alice, 'Bob was here').count(), 0);
    assert.deepEqual(await lowContrastText(bob), []);
  });

  it('reminds of a message: "Remind me" saves it with the time, and when it comes due the tab says so', async () => {
    await alice.locator('.room-header h1', { hasText: 'Later' }).waitFor(WAIT);
    const row = shownMessage(alice, 'Sent by itself').last();
    await (await messageAction(row, 'Remind me')).click(WAIT);
    await row.locator('.later-times button', { hasText: 'In 20 minutes' }).click(WAIT);
    await alice.locator('.notice-bar', { hasText: 'Reminder set for' }).first().waitFor(WAIT);
    await alice.locator('.sidebar button', { hasText: /^Saved messages$/ }).click(WAIT);
    const saved = alice.locator('.sidebar .saved li', { hasText: 'Sent by itself' });
    await saved.locator('.reminder-note', { hasText: 'Remind me' }).waitFor(WAIT);

    // Due in a moment (set from her other device): the tab says so, and the saved list marks it.
    const { client: alicePhone, room } = await deviceOf(alice, 'Alice');
    const history = await alicePhone.request({ type: 'history', room });
    const target = (history.messages as Array<{ text: string; offset: number }>).find(
      (m) => m.text === 'Sent by itself',
    );
    const reminded = await alicePhone.request({
      type: 'remind',
      room,
      offset: target?.offset,
      at: Date.now() + 2000,
    });
    assert.equal(reminded.type, 'done');
    await alice.locator('.notice-bar', { hasText: 'Reminder: Alice in Later' }).first().waitFor(WAIT);
    await saved.locator('.reminder-note.due', { hasText: 'Reminder:' }).waitFor(WAIT);
    assert.deepEqual(await lowContrastText(alice), []);
    await saved.locator('button', { hasText: 'Done' }).click();
    await saved.locator('.reminder-note').waitFor({ ...WAIT, state: 'detached' });
  });
});
