/**
 * The permission matrix: every action by every kind of actor, in public, private, direct and archived rooms, with
 * the expected outcome or refusal code; then the rank rules of moderation one by one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Actor,
  decide,
  invitationLive,
  type RoomAction,
  type Target,
} from '../../src/rooms/permissions.js';
import type { MemberRecord, Role, RoomKind, RoomRecord } from '../../src/rooms/room-directory.js';

const NOW = 1_800_000_000_000;

const room = (kind: RoomKind, archived = false): RoomRecord => ({
  id: 'r',
  kind,
  name: 'r',
  topic: '',
  announceJoins: true,
  createdBy: 'owner',
  createdAt: 0,
  memberCount: 3,
  ...(archived ? { archivedAt: NOW - 1 } : {}),
});

const member = (userId: string, role: Role, extra: Partial<MemberRecord> = {}): MemberRecord => ({
  room: 'r',
  userId,
  role,
  joinedAt: 0,
  ...extra,
});

const actor = (userId: string, extra: Partial<Actor> = {}): Actor => ({
  userId,
  banned: false,
  invited: false,
  serverAdmin: false,
  ...extra,
});

/** The kinds of actor of the matrix. */
const ACTORS: Record<string, Actor> = {
  owner: actor('owner', { member: member('owner', 'owner') }),
  admin: actor('admin', { member: member('admin', 'admin') }),
  member: actor('mia', { member: member('mia', 'member') }),
  muted: actor('mute', { member: member('mute', 'member', { mutedAt: NOW - 10 }) }),
  banned: actor('bad', { banned: true }),
  invited: actor('ivy', { invited: true }),
  stranger: actor('sam'),
  'server admin': actor('root', { serverAdmin: true }),
};

const ACTIONS: RoomAction[] = [
  'read',
  'join',
  'leave',
  'own-settings',
  'send',
  'pin',
  'invite',
  'kick',
  'mute',
  'ban',
  'unban',
  'set-role',
  'edit-room',
  'archive',
  'unarchive',
  'list-bans',
  'list-invitations',
  'uninvite',
  'list-webhooks',
  'add-webhook',
];

/** The target of the actions that have one: a plain member (promoted to admin by set-role), or a newcomer. */
function targetOf(action: RoomAction): Target | undefined {
  if (action === 'invite') return { userId: 'new' };
  // Somebody else's invitation: its giver's own is a case of its own below.
  if (action === 'uninvite') return { userId: 'new', invitedBy: 'pete' };
  if (['kick', 'mute', 'ban', 'unban', 'set-role'].includes(action)) {
    return { userId: 'tom', member: member('tom', 'member'), role: 'admin' };
  }
  return undefined;
}

const outcome = (action: RoomAction, r: RoomRecord, who: Actor) => {
  const d = decide(action, r, who, NOW, targetOf(action));
  return d.ok ? 'ok' : d.code;
};

/** Expected outcome per actor, in the order of ACTIONS (abbreviations below). */
type Row = string;

/** The refusal codes, abbreviated so that the matrix reads as a table. */
const CODES: Record<string, string> = {
  ok: 'ok',
  MEM: 'already_member',
  NM: 'not_member',
  NI: 'not_invited',
  FB: 'forbidden',
  MUT: 'muted',
  BAN: 'banned',
};

// biome-ignore format: the matrix reads as a table
const PUBLIC: Record<string, Row> = {
  //               read join leave notify send pin invite kick mute ban unban set-role edit-room archive unarchive list-bans list-inv uninvite list-hooks add-hook
  owner:          'ok   MEM  ok    ok     ok   ok  ok     ok   ok   ok  ok    ok       ok        ok      ok        ok        ok       ok       ok         ok',
  admin:          'ok   MEM  ok    ok     ok   ok  ok     ok   ok   ok  ok    ok       ok        ok      ok        ok        ok       ok       ok         ok',
  member:         'ok   MEM  ok    ok     ok   ok  ok     FB   FB   FB  FB    FB       FB        FB      FB        FB        ok       FB       FB         FB',
  muted:          'ok   MEM  ok    ok     MUT  MUT ok     FB   FB   FB  FB    FB       FB        FB      FB        FB        ok       FB       FB         FB',
  banned:         'BAN  BAN  BAN   BAN    BAN  BAN BAN    BAN  BAN  BAN BAN   BAN      BAN       BAN     BAN       BAN       BAN      BAN      BAN        BAN',
  invited:        'ok   ok   NM    NM     NM   NM  NM     NM   NM   NM  NM    NM       NM        NM      NM        NM        NM       NM       NM         NM',
  stranger:       'ok   ok   NM    NM     NM   NM  NM     NM   NM   NM  NM    NM       NM        NM      NM        NM        NM       NM       NM         NM',
  'server admin': 'ok   ok   NM    NM     NM   ok  ok     ok   ok   ok  ok    ok       ok        ok      ok        ok        ok       ok       ok         ok',
};

/** A private room differs from a public one in reading, joining and inviting. */
// biome-ignore format: the matrix reads as a table
const PRIVATE: Record<string, Row> = {
  ...PUBLIC,
  //               read join leave notify send pin invite kick mute ban unban set-role edit-room archive unarchive list-bans list-inv uninvite list-hooks add-hook
  member:         'ok   MEM  ok    ok     ok   ok  FB     FB   FB   FB  FB    FB       FB        FB      FB        FB        FB       FB       FB         FB',
  muted:          'ok   MEM  ok    ok     MUT  MUT FB     FB   FB   FB  FB    FB       FB        FB      FB        FB        FB       FB       FB         FB',
  invited:        'NM   ok   NM    NM     NM   NM  NM     NM   NM   NM  NM    NM       NM        NM      NM        NM        NM       NM       NM         NM',
  stranger:       'NM   NI   NM    NM     NM   NM  NM     NM   NM   NM  NM    NM       NM        NM      NM        NM        NM       NM       NM         NM',
};

function check(kind: string, r: RoomRecord, table: Record<string, Row>): void {
  for (const [name, who] of Object.entries(ACTORS)) {
    const got = ACTIONS.map((action) => outcome(action, r, who));
    const expected = (table[name] as Row).split(/\s+/).map((code) => CODES[code]);
    assert.deepEqual(
      Object.fromEntries(ACTIONS.map((a, i) => [a, got[i]])),
      Object.fromEntries(ACTIONS.map((a, i) => [a, expected[i]])),
      `${name} in a ${kind} room`,
    );
  }
}

describe('permissions', () => {
  it('matrix: public room', () => check('public', room('public'), PUBLIC));
  it('matrix: private room', () => check('private', room('private'), PRIVATE));

  it('matrix: archived rooms are read-only for everyone, until a moderator unarchives them', () => {
    const archived = room('public', true);
    for (const [name, who] of Object.entries(ACTORS)) {
      for (const action of ACTIONS) {
        const got = outcome(action, archived, who);
        if (name === 'banned') assert.equal(got, 'banned');
        else if (action === 'read') assert.equal(got, 'ok', `${name} reads an archived public room`);
        else if (
          [
            'leave',
            'own-settings',
            'unarchive',
            'list-bans',
            'list-invitations',
            'uninvite',
            'list-webhooks',
          ].includes(action)
        ) {
          assert.equal(got, outcome(action, room('public'), who), `${name} ${action}`);
        } else assert.equal(got, 'archived', `${name} ${action} in an archived room`);
      }
    }
  });

  it('matrix: direct rooms have fixed people and no moderation', () => {
    const direct = room('direct');
    const people = ACTORS.member as Actor;
    for (const action of ACTIONS) {
      const got = outcome(action, direct, people);
      if (['read', 'leave', 'own-settings', 'send', 'pin'].includes(action)) assert.equal(got, 'ok', action);
      else if (action === 'join') assert.equal(got, 'already_member');
      else assert.equal(got, 'direct_room', action);
    }
    assert.equal(outcome('read', direct, ACTORS.stranger as Actor), 'not_member');
    assert.equal(outcome('join', direct, ACTORS.stranger as Actor), 'direct_room');
  });

  it("moderation needs a rank above the target, and gives roles up to one's own", () => {
    const r = room('private');
    const owner = ACTORS.owner as Actor;
    const admin = ACTORS.admin as Actor;
    const root = ACTORS['server admin'] as Actor;
    const otherAdmin: Target = { userId: 'ada', member: member('ada', 'admin') };
    const otherOwner: Target = { userId: 'oz', member: member('oz', 'owner') };
    const plain: Target = { userId: 'tom', member: member('tom', 'member') };
    const code = (d: ReturnType<typeof decide>) => (d.ok ? 'ok' : d.code);
    assert.equal(
      code(decide('kick', r, admin, NOW, otherAdmin)),
      'forbidden',
      'an admin cannot kick an admin',
    );
    assert.equal(code(decide('ban', r, admin, NOW, otherOwner)), 'forbidden', 'nor ban an owner');
    assert.equal(code(decide('kick', r, owner, NOW, otherAdmin)), 'ok');
    assert.equal(code(decide('kick', r, owner, NOW, otherOwner)), 'forbidden', 'owners are equals');
    assert.equal(code(decide('kick', r, root, NOW, otherOwner)), 'ok', 'a server admin is above them');
    assert.equal(
      code(decide('kick', r, owner, NOW, { userId: 'owner', member: owner.member })),
      'forbidden',
      'not oneself',
    );
    assert.equal(code(decide('kick', r, owner, NOW, { userId: 'gone' })), 'not_member');
    assert.equal(code(decide('ban', r, admin, NOW, { userId: 'outsider' })), 'ok', 'a ban may come first');
    assert.equal(code(decide('set-role', r, admin, NOW, { ...plain, role: 'admin' })), 'ok');
    assert.equal(
      code(decide('set-role', r, admin, NOW, { ...plain, role: 'owner' })),
      'forbidden',
      "up to one's own",
    );
    assert.equal(code(decide('set-role', r, owner, NOW, { ...plain, role: 'owner' })), 'ok');
    assert.equal(code(decide('set-role', r, admin, NOW, { ...otherAdmin, role: 'member' })), 'forbidden');
    assert.equal(code(decide('set-role', r, owner, NOW, { ...otherAdmin, role: 'member' })), 'ok');
    assert.equal(
      code(decide('invite', r, admin, NOW, { userId: 'x', banned: true })),
      'forbidden',
      'unban first',
    );
    assert.equal(code(decide('invite', r, admin, NOW, plain)), 'already_member');
  });

  it('a forbidden says what the actor lacks (the reply error shows it)', () => {
    const r = room('private');
    const owner = ACTORS.owner as Actor;
    const admin = ACTORS.admin as Actor;
    const plain: Target = { userId: 'tom', member: member('tom', 'member') };
    const why = (d: ReturnType<typeof decide>) => (d.ok ? 'ok' : `${d.code}: ${d.why ?? ''}`);
    assert.equal(
      why(decide('kick', r, owner, NOW, { userId: 'owner', member: owner.member })),
      'forbidden: nobody does this to themselves',
    );
    assert.equal(
      why(decide('kick', r, admin, NOW, { userId: 'oz', member: member('oz', 'owner') })),
      'forbidden: their role is not below yours',
    );
    assert.equal(
      why(decide('set-role', r, admin, NOW, { ...plain, role: 'owner' })),
      'forbidden: not a role above your own',
    );
    assert.equal(
      why(decide('kick', r, ACTORS.member as Actor, NOW, plain)),
      'forbidden: needs the admin or owner role in this room',
    );
    assert.equal(
      why(decide('kick', r, ACTORS.stranger as Actor, NOW, plain)),
      'not_member: ',
      'no reason beyond the code',
    );
    assert.equal(
      why(decide('invite', r, ACTORS.member as Actor, NOW, { userId: 'x' })),
      'forbidden: only admins and owners invite to a private room',
    );
  });

  it('an invitation is withdrawn by whoever gave it, or by a moderator', () => {
    const code = (d: ReturnType<typeof decide>) => (d.ok ? 'ok' : d.code);
    const mia = ACTORS.member as Actor;
    const hers: Target = { userId: 'new', invitedBy: 'mia' };
    assert.equal(code(decide('uninvite', room('public'), mia, NOW, hers)), 'ok');
    assert.equal(
      code(decide('uninvite', room('private'), mia, NOW, hers)),
      'ok',
      'her own, given before she lost the admin role',
    );
    assert.equal(
      code(decide('uninvite', room('public'), ACTORS.muted as Actor, NOW, { ...hers, invitedBy: 'mute' })),
      'ok',
    );
    // Hers after leaving, or in an archived room: what she gave counts against what she may give.
    assert.equal(code(decide('uninvite', room('private'), actor('mia'), NOW, hers)), 'ok', 'after leaving');
    assert.equal(code(decide('uninvite', room('public', true), mia, NOW, hers)), 'ok', 'archived');
    assert.equal(
      code(decide('uninvite', room('public'), actor('mia', { banned: true }), NOW, hers)),
      'banned',
    );
    assert.equal(code(decide('uninvite', room('public'), actor('sam'), NOW, hers)), 'not_member');
    assert.equal(
      code(decide('list-invitations', room('private', true), ACTORS.admin as Actor, NOW)),
      'ok',
      'listed in an archived room',
    );
  });

  it('an invitation holds for its time to live, and for good without one', () => {
    assert.equal(invitationLive(NOW - 999, NOW, 1000), true);
    assert.equal(invitationLive(NOW - 1000, NOW, 1000), false);
    assert.equal(invitationLive(0, NOW, 0), true);
  });

  it('a mute ends by itself at its end', () => {
    const r = room('public');
    const until = actor('m', {
      member: member('m', 'member', { mutedAt: NOW - 10, muteExpiresAt: NOW + 5 }),
    });
    assert.equal(decide('send', r, until, NOW + 4).ok, false);
    assert.equal(decide('send', r, until, NOW + 5).ok, true);
  });
});
