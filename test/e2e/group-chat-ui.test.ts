/**
 * Group chat in the web UI, in Chromium, over two instances (Redis as the bus, PostgreSQL as the store): create a
 * private room, invite, accept, chat, promote, kick; start a direct message from the online list; browse and join
 * a public room. Alice is on one instance, Bob on the other.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  hasChromium,
  launchBrowser,
  lowContrastText,
  messageAction,
  say,
  shownMessage,
  signIn,
  WAIT,
} from '../helpers/browser.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { spawnServer } from '../helpers/processes.js';
import { RedisServer } from '../helpers/redis-server.js';

const message = shownMessage;
const notice = (page: Page, text: string) => page.locator('.messages li.notice.system', { hasText: text });
const roomButton = (page: Page, text: string) =>
  page.locator('.sidebar .rooms button.room', { hasText: text });

describe('group chat in the web UI over two instances', { skip: !hasChromium() }, async () => {
  const [pg, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
  after(() => Promise.all([pg.stop(), redis.stop()]));
  const shared = ['--redis-url', redis.url, '--database-url', pg.url, '--redis-prefix', 'gui'];
  const nodes = await Promise.all([0, 1].map((i) => spawnServer([...shared, '--node-id', `gui${i}`])));
  const browser = await launchBrowser();
  const alice = await signIn(browser, nodes[0]?.httpUrl as string, 'Alice');
  const bob = await signIn(browser, nodes[1]?.httpUrl as string, 'Bob');
  const bobId = (await bob.getAttribute('.brand .me', 'title')) as string;

  /**
   * Signs in on the second instance in a browser whose WebSocket frames from the server pass through `filter` (the
   * frame to deliver, or undefined to drop it): a browser that misses an event, or sees one changed.
   */
  const signInFiltered = async (name: string, filter: (frame: string) => string | undefined) => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    await context.routeWebSocket(/\/ws/, (socket) => {
      const server = socket.connectToServer();
      server.onMessage((frame) => {
        const delivered = filter(String(frame));
        if (delivered !== undefined) socket.send(delivered);
      });
    });
    const page = await context.newPage();
    await page.goto(nodes[1]?.httpUrl as string);
    await page.fill('#name', name);
    await page.fill('#room', 'lobby');
    await page.click('form.card button[type=submit]');
    await page.waitForSelector('.status[data-status="connected"]', WAIT);
    return { page, context, id: (await page.getAttribute('.brand .me', 'title')) as string };
  };

  it('creates a private room, invites, accepts, chats, promotes and kicks', async () => {
    await alice.fill('#new-room', 'Secret plans');
    await alice.check('#new-room-private');
    await alice.click('form.join button:has-text("Create")');
    await roomButton(alice, 'Secret plans').waitFor(WAIT);
    await alice.locator('.room-header h1', { hasText: 'Secret plans' }).waitFor(WAIT);
    await notice(alice, 'Alice created the room').waitFor(WAIT);

    await alice.click('.members-toggle');
    // Bob is online in the lobby with Alice: she invites him by his name (the list offers it), not his id.
    await alice.locator('#invite-people option[value="Bob"]').waitFor({ state: 'attached', ...WAIT });
    await alice.fill('#invite-user', 'bob');
    await alice.click('.members form.invite button[type=submit]');
    // Names, not ids: Alice's notice, and the invitation Bob sees.
    await alice.locator('.notice-bar', { hasText: 'Invited Bob' }).waitFor(WAIT);
    const invitation = bob.locator('.invitations li', { hasText: 'Secret plans from Alice' });
    await invitation.waitFor(WAIT);
    // Pending, it is listed under the members, by name with who gave it; withdrawn, it leaves Bob's list at once.
    await alice.locator('.members h2', { hasText: 'Invited — 1' }).waitFor(WAIT);
    const pending = alice.locator(`.members ul.invited li[data-invited="${bobId}"]`, { hasText: 'Bob' });
    await pending.locator('.invited-by', { hasText: 'by you' }).waitFor(WAIT);
    await pending.locator('button:has-text("Withdraw")').click();
    await alice.locator('.notice-bar', { hasText: 'Invitation of Bob withdrawn' }).waitFor(WAIT);
    await invitation.waitFor({ state: 'detached', ...WAIT });
    await pending.waitFor({ state: 'detached', ...WAIT });
    await alice.fill('#invite-user', 'bob');
    await alice.click('.members form.invite button[type=submit]');
    await pending.waitFor(WAIT);
    await invitation.waitFor(WAIT);
    await bob.click('.invitations li button:has-text("Accept")');
    await bob.locator('.room-header h1', { hasText: 'Secret plans' }).waitFor(WAIT);
    await notice(alice, 'Bob joined').waitFor(WAIT);
    await alice.locator('.members h2', { hasText: 'Members — 2' }).waitFor(WAIT);
    // A danger action is readable: its text is not the colour of its background.
    const ban = alice.locator(`.members li[data-member="${bobId}"] button:has-text("Ban")`);
    const [text, background] = await ban.evaluate((el) => {
      const style = getComputedStyle(el);
      return [style.color, style.backgroundColor];
    });
    assert.notEqual(text, background, 'Ban is readable');

    await say(bob, 'Count me in');
    await message(alice, 'Count me in').waitFor(WAIT);

    const bobRow = alice.locator(`.members li[data-member="${bobId}"]`);
    await bobRow.locator('button:has-text("Promote")').click(WAIT);
    await notice(bob, 'Alice made Bob an admin').waitFor(WAIT);
    await bobRow.locator('.role', { hasText: 'admin' }).waitFor(WAIT);
    await bobRow.locator('button:has-text("Demote")').click(WAIT);
    // A kick asks first: a Cancel changes nothing, and the reason given is what Bob is told.
    await bobRow.locator('button:has-text("Kick")').click(WAIT);
    await bobRow.locator('form.sanction button:has-text("Cancel")').click(WAIT);
    await bobRow.locator('form.sanction').waitFor({ state: 'detached', ...WAIT });
    await bobRow.locator('button:has-text("Kick")').click(WAIT);
    await bobRow.locator('form.sanction input[aria-label="Reason"]').fill('Wrong room');
    await bobRow.locator('form.sanction button:has-text("Remove")').click(WAIT);
    await bob
      .locator('.notice-bar', { hasText: 'You were removed from Secret plans by Alice: Wrong room' })
      .waitFor(WAIT);
    await roomButton(bob, 'Secret plans').waitFor({ state: 'detached', ...WAIT });
    await notice(alice, 'Alice removed Bob').waitFor(WAIT);
  });

  it('drops an invitation that is gone when accepted (expired, or its withdrawal not heard)', async () => {
    // Dana's browser never hears invitation_removed: as for an invitation that expired (no event says so).
    const {
      page: dana,
      id: danaId,
      context,
    } = await signInFiltered('Dana', (frame) => (frame.includes('"invitation_removed"') ? undefined : frame));

    await alice.fill('#new-room', 'Short notice');
    await alice.check('#new-room-private');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Short notice' }).waitFor(WAIT);
    if (!(await alice.locator('#invite-user').isVisible())) await alice.click('.members-toggle');
    await alice.fill('#invite-user', danaId);
    await alice.click('.members form.invite button[type=submit]');
    const invitation = dana.locator('.invitations li', { hasText: 'Short notice from Alice' });
    await invitation.waitFor(WAIT);
    await alice
      .locator(`.members ul.invited li[data-invited="${danaId}"] button:has-text("Withdraw")`)
      .click(WAIT);
    await alice
      .locator(`.members ul.invited li[data-invited="${danaId}"]`)
      .waitFor({ state: 'detached', ...WAIT });
    await invitation.locator('button:has-text("Accept")').click(WAIT);
    await dana
      .locator('.notice-bar', { hasText: 'This invitation was withdrawn or has expired' })
      .waitFor(WAIT);
    await invitation.waitFor({ state: 'detached', ...WAIT });
    await context.close();
  });

  it('lists the invitations one sent, in every room, to withdraw them; an expired one is not offered', async () => {
    // Erin's browser sees the invitation to "Stale room" as expired already (no event would say so).
    const {
      page: erin,
      id: erinId,
      context,
    } = await signInFiltered('Erin', (frame) =>
      frame.includes('Stale room') ? frame.replace(/"expiresAt":\d+/g, '"expiresAt":1') : frame,
    );

    for (const name of ['Stale room', 'Loft']) {
      await alice.fill('#new-room', name);
      await alice.check('#new-room-private');
      await alice.click('form.join button:has-text("Create")');
      await alice.locator('.room-header h1', { hasText: name }).waitFor(WAIT);
      if (!(await alice.locator('#invite-user').isVisible())) await alice.click('.members-toggle');
      for (const user of [erinId, 'made-up-guest']) {
        await alice.fill('#invite-user', user);
        await alice.click('.members form.invite button[type=submit]');
        await alice.locator(`.members ul.invited li[data-invited="${user}"]`).waitFor(WAIT);
      }
    }
    // Both came in order: once Loft's is shown, Stale room's was dropped as expired, not still on its way.
    await erin.locator('.invitations li', { hasText: 'Loft from Alice' }).waitFor(WAIT);
    assert.equal(await erin.locator('.invitations li', { hasText: 'Stale room' }).count(), 0);

    await alice.click('.sidebar button:has-text("Invitations you sent")');
    const sent = alice.locator('section[aria-label="Invitations you sent"]');
    // Earlier tests' invitations may be listed too: these four are, each with its room's name.
    const entry = (user: string, room: string) =>
      sent.locator(`li[data-sent-invitation$=":${user}"]`, { hasText: `to ${room}` });
    for (const room of ['Stale room', 'Loft']) {
      for (const user of [erinId, 'made-up-guest']) await entry(user, room).waitFor(WAIT);
    }
    await entry(erinId, 'Loft').locator('button:has-text("Withdraw")').click(WAIT);
    await erin
      .locator('.invitations li', { hasText: 'Loft from Alice' })
      .waitFor({ state: 'detached', ...WAIT });
    // Read again after the withdrawal: the others stay.
    await entry(erinId, 'Loft').waitFor({ state: 'detached', ...WAIT });
    await entry('made-up-guest', 'Loft').waitFor(WAIT);
    await entry(erinId, 'Stale room').waitFor(WAIT);
    await sent.locator('button:has-text("close")').click();
    await context.close();
  });

  it('starts a direct message from the online list', async () => {
    await roomButton(alice, 'lobby').click();
    await alice.locator('.presence li', { hasText: 'Bob' }).locator('button.dm').click(WAIT);
    await alice.locator('.room-header h1', { hasText: 'Bob' }).waitFor(WAIT);
    await say(alice, 'psst, Bob');
    const direct = bob.locator('.sidebar .rooms button.room', { hasText: 'Alice' });
    await direct.waitFor(WAIT);
    await direct.click();
    await message(bob, 'psst, Bob').waitFor(WAIT);
    assert.equal(await bob.locator('.room-header button.leave').count(), 0, 'a direct room of two: no Leave');
  });

  it('starts a group direct message with people picked by name', async () => {
    const carol = await signIn(browser, nodes[1]?.httpUrl as string, 'Carol');
    try {
      await roomButton(alice, 'lobby').click();
      await alice.locator('.presence li', { hasText: 'Carol' }).waitFor(WAIT);
      // A name ended with a comma becomes a chip; the last one may stay typed.
      await alice.fill('#new-direct', 'Bob,');
      await alice.locator('.new-direct .chips li', { hasText: 'Bob' }).waitFor(WAIT);
      await alice.fill('#new-direct', 'carol');
      await alice.click('.new-direct button[type=submit]');
      const header = alice.locator('.room-header h1', { hasText: /Bob, Carol|Carol, Bob/ });
      await header.waitFor(WAIT);
      await say(alice, 'all three of us');
      for (const page of [bob, carol]) {
        const group = page
          .locator('.sidebar .rooms button.room', { hasText: 'Alice' })
          .filter({ hasText: ',' });
        await group.click(WAIT);
        await message(page, 'all three of us').waitFor(WAIT);
      }
      // A group of three can be left (a room of two cannot).
      assert.equal(await carol.locator('.room-header button.leave').count(), 1);
      // Nobody is registered: a name nobody here has is taken as a user id, and the notice says so.
      await alice.fill('#new-direct', 'zed-42');
      await alice.click('.new-direct button[type=submit]');
      await alice
        .locator('.notice-bar', { hasText: 'Messaging user id zed-42 (nobody here is called that)' })
        .waitFor(WAIT);
    } finally {
      await carol.close();
    }
  });

  it('says why a room could not be joined, and does not keep it', async () => {
    await roomButton(bob, 'lobby').click();
    // A name kept for direct rooms: no channel opens under it.
    await bob.fill('#join-room', 'dm-nobody');
    await bob.press('#join-room', 'Enter');
    await bob
      .locator('.notice-bar', { hasText: "Could not join #dm-nobody: no room 'dm-nobody'" })
      .waitFor(WAIT);
    await roomButton(bob, 'dm-nobody').waitFor({ state: 'detached', ...WAIT });
    await bob.locator('.room-header h1', { hasText: 'lobby' }).waitFor(WAIT);
  });

  it('browses public rooms and joins one', async () => {
    await alice.fill('#new-room', 'Town square');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Town square' }).waitFor(WAIT);
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Town square' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Town square' }).waitFor(WAIT);
    await notice(alice, 'Bob joined').waitFor(WAIT);
    await say(alice, 'Welcome, Bob');
    await message(bob, 'Welcome, Bob').waitFor(WAIT);
    assert.ok(await roomButton(bob, 'Town square').isVisible());
  });

  it('pins a message for everyone in the room, across instances; unpinned from the pinned list, it goes', async () => {
    await roomButton(alice, 'Town square').click();
    await say(alice, 'Fair on Saturday, bring cake');
    await say(alice, 'Unrelated chatter');
    const fair = message(alice, 'Fair on Saturday');
    await alice.locator('.messages li.message.sent', { hasText: 'Fair on Saturday' }).waitFor(WAIT);
    await (await messageAction(fair, /^Pin$/)).click(WAIT);
    await notice(bob, 'Alice pinned a message').locator('button.show-pinned').waitFor(WAIT);
    // Bob, on the other instance, hears the event and reads the pins again: the header counts it, the message says it.
    await bob.locator('.room-header .pins-toggle', { hasText: '1' }).click(WAIT);
    const pinned = bob.locator('.pins-panel li', { hasText: 'Fair on Saturday, bring cake' });
    await pinned.locator('.result-head', { hasText: 'pinned by Alice' }).waitFor(WAIT);
    await message(bob, 'Fair on Saturday').locator('.pin-mark').waitFor(WAIT);
    await pinned.locator('.unpin').click();
    await notice(alice, 'Bob unpinned a message').waitFor(WAIT);
    await alice.locator('.room-header .pins-toggle').waitFor({ state: 'detached', ...WAIT });
    assert.equal(await message(alice, 'Fair on Saturday').locator('.pin-mark').count(), 0);
  });

  it('saves a message for oneself: listed in the sidebar, opened from there, unsaved', async () => {
    const chatter = message(bob, 'Unrelated chatter');
    await (await messageAction(chatter, /^Save$/)).click(WAIT);
    await bob.locator('.notice-bar', { hasText: 'Saved' }).waitFor(WAIT);
    await bob.click('.sidebar button:has-text("Saved messages")');
    const entry = bob.locator('section[aria-label="Saved messages"] li', { hasText: 'Unrelated chatter' });
    await entry.locator('.result-head', { hasText: 'Town square' }).waitFor(WAIT);
    // Alice saved nothing: her list is her own.
    await alice.click('.sidebar button:has-text("Saved messages")');
    await alice.locator('section[aria-label="Saved messages"] .empty').waitFor(WAIT);
    await roomButton(bob, 'lobby').click();
    await entry.locator('.search-result').click();
    await bob.locator('.room-header h1', { hasText: 'Town square' }).waitFor(WAIT);
    await entry.locator('.unsave').click();
    await entry.waitFor({ state: 'detached', ...WAIT });
    await (await messageAction(chatter, /^Save$/)).waitFor(WAIT);
  });

  it("sets a room's name and topic, mutes and archives it: the other member's composer says why it cannot send", async () => {
    await roomButton(alice, 'Town square').click();
    await roomButton(bob, 'Town square').click();
    if (!(await alice.locator('.members').isVisible())) await alice.click('.members-toggle');
    await alice.click('.room-settings summary');
    await alice.fill('#room-settings-name', 'Village green');
    await alice.fill('#room-settings-topic', 'Fêtes and notices');
    await alice.click('.room-settings form button[type=submit]');
    await bob.locator('.room-header h1', { hasText: 'Village green' }).waitFor(WAIT);
    await bob.locator('.room-header .topic', { hasText: 'Fêtes and notices' }).waitFor(WAIT);
    await roomButton(bob, 'Village green').waitFor(WAIT);

    // A mute asks for how long (an hour unless chosen otherwise), and the members list says until when.
    const bobsRow = alice.locator(`.members li[data-member="${bobId}"]`);
    await bobsRow.locator('button:has-text("Mute")').click(WAIT);
    await bobsRow.locator('form.sanction button[type=submit]:has-text("Mute")').click(WAIT);
    await bob.locator('#composer-text[placeholder="You are muted in this room"]').waitFor(WAIT);
    await bobsRow.locator('.muted-tag', { hasText: /^muted until / }).waitFor(WAIT);
    await alice
      .locator('.messages li.notice.system[data-event="muted"]', { hasText: '(until ' })
      .waitFor(WAIT);
    await bobsRow.locator('button:has-text("Unmute")').click(WAIT);
    await bob.locator('#composer-text[placeholder="Message Village green"]').waitFor(WAIT);

    alice.once('dialog', (dialog) => void dialog.accept());
    await alice.click('.room-settings button:has-text("Archive")');
    await bob.locator('#composer-text[disabled]').waitFor(WAIT);
    await alice.click('.room-settings button:has-text("Unarchive")');
    await bob.locator('#composer-text:not([disabled])').waitFor(WAIT);
    await say(bob, 'Back in business');
    await message(alice, 'Back in business').waitFor(WAIT);

    // The owner's view at its busiest (settings, members with their actions, a message's actions): every text reads
    // against what is behind it, in both themes (the danger buttons were red on red, then white on light red).
    await say(alice, 'Mine to delete');
    await message(alice, 'Mine to delete').hover();
    for (const colorScheme of ['light', 'dark'] as const) {
      await alice.emulateMedia({ colorScheme });
      assert.deepEqual(await lowContrastText(alice), [], colorScheme);
    }
    await alice.emulateMedia({ colorScheme: 'light' });

    // A ban is lifted from its notice (a banned user has no row among the members).
    await alice.locator(`.members li[data-member="${bobId}"] button:has-text("Ban")`).click(WAIT);
    await alice.locator('.members form.sanction input[aria-label="Reason"]').fill('Too loud');
    await alice.locator('.members form.sanction button[type=submit]:has-text("Ban")').click(WAIT);
    // The banned are listed apart for the room's moderators, with the reason given.
    await alice.locator(`.members ul.bans li[data-banned="${bobId}"]`, { hasText: 'Too loud' }).waitFor(WAIT);
    const banned = alice.locator('.messages li.notice.system[data-event="banned"]', { hasText: 'Bob' });
    await banned.locator('button.unban').click(WAIT);
    await alice
      .locator('.messages li.notice.system[data-event="unbanned"]', { hasText: 'Bob' })
      .waitFor(WAIT);
    await alice.locator('.members ul.bans').waitFor({ state: 'detached', ...WAIT });
    await bob.click('button:has-text("Browse public rooms")');
    await bob.locator('.browse button.room', { hasText: 'Village green' }).click(WAIT);
    await bob.locator('.room-header h1', { hasText: 'Village green' }).waitFor(WAIT);
  });

  it('asks before leaving a private room (coming back takes an invitation)', async () => {
    await alice.fill('#new-room', 'Quiet corner');
    await alice.check('#new-room-private');
    await alice.click('form.join button:has-text("Create")');
    await alice.locator('.room-header h1', { hasText: 'Quiet corner' }).waitFor(WAIT);
    const asked: string[] = [];
    alice.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await alice.click('.room-header button.leave');
    assert.match(asked[0] ?? '', /^Leave Quiet corner\? It is private/);
    // Still a member after "Cancel": a message sent afterwards is stored (a leave would have gone first).
    await say(alice, 'still here');
    await alice.locator('.messages li.message.mine.sent', { hasText: 'still here' }).waitFor(WAIT);
    assert.ok(await roomButton(alice, 'Quiet corner').isVisible(), 'stays after "Cancel"');
    alice.once('dialog', (dialog) => void dialog.accept());
    await alice.click('.room-header button.leave');
    await roomButton(alice, 'Quiet corner').waitFor({ state: 'detached', ...WAIT });
  });

  it('fits a phone: the members panel opens over the conversation', async () => {
    const phone = await signIn(browser, nodes[1]?.httpUrl as string, 'Phone', { mobile: true });
    await phone.click('.room-view .menu');
    await phone.click('button:has-text("Browse public rooms")');
    const listed = phone.locator('.browse button.room', { hasText: 'Village green' });
    // The topic tells rooms of one name apart, and stays inside the sidebar however long it is.
    await listed.locator('.browse-topic', { hasText: 'Fêtes and notices' }).waitFor(WAIT);
    const [row, sidebar] = await Promise.all([listed.boundingBox(), phone.locator('.sidebar').boundingBox()]);
    assert.ok(row && sidebar && row.x + row.width <= sidebar.x + sidebar.width + 1, 'inside the sidebar');
    await listed.click(WAIT);
    await phone.locator('.room-header h1', { hasText: 'Village green' }).waitFor(WAIT);
    await phone.click('.members-toggle');
    await phone.locator('.members li', { hasText: 'Alice' }).waitFor(WAIT);
    assert.ok(await phone.locator('.members').isVisible());
    // The header keeps its width for the room's name: Leave is in the panel on a phone.
    assert.equal(await phone.locator('.room-header button.leave').isVisible(), false);
    assert.ok(await phone.locator('.members button.leave-room').isVisible());
    const name = await phone.locator('.room-header h1').boundingBox();
    assert.ok((name?.width ?? 0) >= 80, `the room's name has ${name?.width} px`);
  });
});
