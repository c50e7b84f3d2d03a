import { useEffect, useState } from 'preact/hooks';
import type {
  BanSummary,
  MemberSummary,
  NotificationLevel,
  Role,
  RoomInvitationSummary,
  UserInfo,
} from '../../../client/index.js';
import { untilOf } from '../format.js';
import { InviteLinks } from './InviteLinks.js';
import { RoomSettings } from './RoomSettings.js';
import { RoomWebhooks } from './RoomWebhooks.js';
import { type Sanction, SanctionForm } from './SanctionForm.js';
import { statusLine } from './StatusPicker.js';
import { type ChatStore, nameKey } from './store.js';

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/** The invite form's suggestions: people who are not members, each by name unless another has the same name. */
function inviteOptions(
  people: UserInfo[],
  members: MemberSummary[],
): Array<{ value: string; label: string }> {
  const candidates = people.filter((person) => !members.some((m) => m.user.id === person.id));
  const named = new Map<string, number>();
  for (const { name } of candidates) named.set(nameKey(name), (named.get(nameKey(name)) ?? 0) + 1);
  return candidates.map((person) =>
    (named.get(nameKey(person.name)) ?? 0) > 1
      ? { value: person.id, label: person.name }
      : { value: person.name, label: person.id },
  );
}

/** The name of a user: as the room's members list shows it, else as this client knows them, else their id. */
function nameAmong(members: MemberSummary[], userId: string, store: ChatStore): string {
  return members.find((m) => m.user.id === userId)?.user.name || store.nameOf(userId);
}

/**
 * A room's members with their roles, an invite form for those who may invite, and moderation actions (kick, ban,
 * mute, promote) on members of a lower role; a kick, ban or mute asks first (SanctionForm). The server checks every
 * action again; this only hides what would be refused.
 */
export function MembersPanel({ store, room }: { store: ChatStore; room: string }) {
  const [members, setMembers] = useState<MemberSummary[]>([]);
  // What the members listed say of themselves (asked for once; the room's status frames keep it up to date).
  useEffect(() => store.wantStatuses(members.map((m) => m.user.id)), [store, members]);
  const [invitee, setInvitee] = useState('');
  const [asking, setAsking] = useState<{ user: string; action: Sanction } | null>(null);
  const [bans, setBans] = useState<{ bans: BanSummary[]; next?: string } | null>(null);
  const [invited, setInvited] = useState<{ invitations: RoomInvitationSummary[]; next?: string } | null>(
    null,
  );
  const entry = store.listed(room);
  const mine = entry?.role;
  const moderator = store.moderates(room);
  const mayInvite =
    entry !== undefined &&
    (entry.kind === 'public' ? mine !== undefined : entry.kind === 'private' && moderator);
  const reload = () => {
    // Pending invitations are shown to those who may invite: who gave one, or a moderator, withdraws it.
    if (!mayInvite) setInvited(null);
    else
      void store.roomInvitations(room).then(
        (page) => setInvited(page),
        () => setInvited(null),
      );
    void store.members(room).then(
      (page) => setMembers(page.members),
      () => setMembers([]),
    );
    // Banned people are no members: their moderators see them apart, to lift a ban.
    if (!moderator || entry?.kind === 'direct') setBans(null);
    else
      void store.bans(room).then(
        (page) => setBans(page),
        () => setBans(null),
      );
  };
  // Reloaded when the room's log shows a change (a system event) and when the room changes.
  const changes = store.roomEvents(room);
  useEffect(reload, [room, changes, moderator, mayInvite]);
  // A question asked in one room is not left open in the next (its person may be a member there too).
  useEffect(() => setAsking(null), [room]);
  if (!entry) return null;
  const act = async (work: Promise<unknown>) => {
    await work;
    reload();
  };
  return (
    <section class="members" aria-label="Members">
      {moderator && entry.kind !== 'direct' && <RoomSettings store={store} entry={entry} />}
      {moderator && entry.kind !== 'direct' && <RoomWebhooks store={store} entry={entry} />}
      {mayInvite && <InviteLinks store={store} entry={entry} />}
      {entry.role !== undefined && (
        <label class="notify-level small">
          Notify me of{' '}
          <select
            id="notify-level"
            value={store.notificationsOf(room)}
            onChange={(event) =>
              void store.setNotifications(
                room,
                (event.target as HTMLSelectElement).value as NotificationLevel,
              )
            }
          >
            <option value="all">every message</option>
            <option value="mentions">mentions of me</option>
            <option value="none">nothing</option>
          </select>
        </label>
      )}
      <h2>Members — {entry.memberCount}</h2>
      {mayInvite && (
        <form
          class="row invite"
          onSubmit={(event) => {
            event.preventDefault();
            if (invitee.trim() === '') return;
            // An invitation logs no event in the room: the list of pending ones is read again here.
            void act(store.inviteByName(room, invitee));
            setInvitee('');
          }}
        >
          <input
            id="invite-user"
            value={invitee}
            placeholder="name or user id to invite"
            aria-label="Name or user id to invite"
            autoComplete="off"
            list="invite-people"
            onInput={(event) => setInvitee((event.target as HTMLInputElement).value)}
          />
          {/* The people this client knows of who are not members yet: picked by name, or by id where a name is shared. */}
          <datalist id="invite-people">
            {inviteOptions(store.people(), members).map(({ value, label }) => (
              <option key={value} value={value} label={label} />
            ))}
          </datalist>
          <button type="submit">Invite</button>
        </form>
      )}
      <ul>
        {members.map((member) => {
          const them = member.user;
          const canModerate =
            moderator &&
            them.id !== store.me.id &&
            RANK[mine as Role] > RANK[member.role] &&
            entry.kind !== 'direct';
          return (
            <li key={them.id} data-member={them.id}>
              <bdi>{them.name || them.id}</bdi>
              {them.id === store.me.id ? ' (you)' : ''}
              {store.statusOf(them.id) && (
                <span class="member-status muted small"> {statusLine(store.statusOf(them.id))}</span>
              )}
              {member.role !== 'member' && <span class="role">{member.role}</span>}
              {member.mutedUntil !== undefined && (
                <span class="role muted-tag">
                  {member.mutedUntil > 0 ? `muted ${untilOf(member.mutedUntil)}` : 'muted'}
                </span>
              )}
              {canModerate && (
                <span class="actions">
                  {member.role === 'member' ? (
                    <button type="button" onClick={() => void act(store.moderate(room, them.id, 'admin'))}>
                      Promote
                    </button>
                  ) : (
                    <button type="button" onClick={() => void act(store.moderate(room, them.id, 'member'))}>
                      Demote
                    </button>
                  )}
                  {member.mutedUntil !== undefined ? (
                    <button type="button" onClick={() => void act(store.moderate(room, them.id, 'unmute'))}>
                      Unmute
                    </button>
                  ) : (
                    <button type="button" onClick={() => setAsking({ user: them.id, action: 'mute' })}>
                      Mute
                    </button>
                  )}
                  <button type="button" onClick={() => setAsking({ user: them.id, action: 'kick' })}>
                    Kick
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => setAsking({ user: them.id, action: 'ban' })}
                  >
                    Ban
                  </button>
                </span>
              )}
              {canModerate && asking?.user === them.id && (
                <SanctionForm
                  action={asking.action}
                  name={them.name || them.id}
                  onCancel={() => setAsking(null)}
                  onConfirm={(choice) => {
                    setAsking(null);
                    void act(store.moderate(room, them.id, asking.action, choice));
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
      {moderator && bans && bans.bans.length > 0 && (
        <>
          <h2>
            Banned — {bans.bans.length}
            {bans.next !== undefined ? '+' : ''}
          </h2>
          <ul class="bans">
            {bans.bans.map((ban) => (
              <li
                key={ban.user.id}
                data-banned={ban.user.id}
                title={ban.reason ? `Reason: ${ban.reason}` : undefined}
              >
                <bdi>{ban.user.name || ban.user.id}</bdi>
                {ban.until !== undefined && <span class="role">{untilOf(ban.until)}</span>}
                <span class="actions">
                  <button type="button" onClick={() => void act(store.moderate(room, ban.user.id, 'unban'))}>
                    Unban
                  </button>
                </span>
                {ban.reason && <span class="ban-reason">{ban.reason}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {invited && invited.invitations.length > 0 && (
        <>
          <h2>
            Invited — {invited.invitations.length}
            {invited.next !== undefined ? '+' : ''}
          </h2>
          <ul class="invited">
            {invited.invitations.map((invitation) => (
              <li key={invitation.user} data-invited={invitation.user}>
                <bdi>{store.nameOf(invitation.user)}</bdi>
                <span class="invited-by">
                  by{' '}
                  {invitation.invitedBy === store.me.id ? (
                    'you'
                  ) : (
                    <bdi>{nameAmong(members, invitation.invitedBy, store)}</bdi>
                  )}
                </span>
                {(moderator || invitation.invitedBy === store.me.id) && (
                  <span class="actions">
                    <button type="button" onClick={() => void act(store.uninvite(room, invitation.user))}>
                      Withdraw
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {store.canLeave(room) && (
        <button type="button" class="leave-room" onClick={() => void store.leaveRoom(room)}>
          Leave {entry.kind === 'direct' ? 'this conversation' : 'room'}
        </button>
      )}
    </section>
  );
}
