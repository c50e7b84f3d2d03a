import { useEffect, useState } from 'preact/hooks';
import type { InviteLinkSummary, RoomSummary } from '../../../client/index.js';
import { untilOf, whenOf } from '../format.js';
import { CopyableAddress } from './CopyableAddress.js';
import type { ChatStore } from './store.js';

/** How long a new link lasts, as offered (ms; 0: until revoked). */
const ENDS = [
  ['a day', 86_400_000],
  ['7 days', 7 * 86_400_000],
  ['30 days', 30 * 86_400_000],
  ['until revoked', 0],
] as const;

/** How many may join with a new link, as offered (0: any number). */
const USES = [
  ['anyone with it', 0],
  ['one person', 1],
  ['10 people', 10],
] as const;

/** What a link still allows, read by a person: its uses and its end. */
function linkState(link: InviteLinkSummary): string {
  const used =
    link.maxUses !== undefined ? `${link.uses} of ${link.maxUses} used` : `used ${link.uses} times`;
  const spent = link.maxUses !== undefined && link.uses >= link.maxUses;
  if (link.expiresAt !== undefined && link.expiresAt <= Date.now()) return `${used}, expired`;
  if (spent) return `${used}: used up`;
  return link.expiresAt !== undefined ? `${used}, ${untilOf(link.expiresAt)}` : used;
}

/**
 * A room's invite links, for those who may invite to it (the server checks again): a new one (how long it lasts, how
 * many may use it), its address to copy, the links made with their uses, each to revoke.
 */
export function InviteLinks({ store, entry }: { store: ChatStore; entry: RoomSummary }) {
  const [links, setLinks] = useState<InviteLinkSummary[] | null>(null);
  const [ends, setEnds] = useState<number>(7 * 86_400_000);
  const [uses, setUses] = useState<number>(0);
  const [made, setMade] = useState<string | null>(null);
  const reload = () =>
    void store.inviteLinks(entry.id).then(
      (list) => setLinks(list),
      () => setLinks(null),
    );
  // Reloaded when the room's log shows a change (someone joined with a link: its uses).
  const changes = store.roomEvents(entry.id);
  useEffect(reload, [entry.id, changes]);
  useEffect(() => setMade(null), [entry.id]);
  return (
    <details class="room-links">
      <summary>Invite link{links && links.length > 0 ? `s (${links.length})` : ''}</summary>
      <p class="settings-note">
        Whoever has the link can join this room{entry.kind === 'private' ? ', private as it is' : ''}.
      </p>
      {made && <CopyableAddress id="invite-link" label="The link" address={made} />}
      {!entry.archived && (
        <form
          class="settings-form"
          onSubmit={(event) => {
            event.preventDefault();
            void store
              .createInviteLink(entry.id, {
                ...(ends > 0 ? { expiresInMs: ends } : {}),
                ...(uses > 0 ? { maxUses: uses } : {}),
              })
              .then((link) => {
                if (!link) return;
                setMade(store.inviteLinkUrl(link.code));
                reload();
              });
          }}
        >
          <label class="settings-label">
            Lasts
            <select
              id="invite-link-ends"
              value={ends}
              onChange={(e) => setEnds(Number((e.target as HTMLSelectElement).value))}
            >
              {ENDS.map(([label, ms]) => (
                <option key={ms} value={ms}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label class="settings-label">
            For
            <select
              id="invite-link-uses"
              value={uses}
              onChange={(e) => setUses(Number((e.target as HTMLSelectElement).value))}
            >
              {USES.map(([label, count]) => (
                <option key={count} value={count}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="save">
            Create invite link
          </button>
        </form>
      )}
      {links && links.length > 0 && (
        <ul class="webhook-list">
          {links.map((link) => (
            <li key={link.code} data-invite-link={link.code}>
              <span>{linkState(link)}</span>
              <span class="muted small">
                by <bdi>{link.createdBy.name || link.createdBy.id}</bdi> {whenOf(link.createdAt)}
              </span>
              <button
                type="button"
                class="danger"
                onClick={() => void store.revokeInviteLink(entry.id, link.code).then(reload)}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
