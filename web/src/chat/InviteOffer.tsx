import { useEffect, useRef } from 'preact/hooks';
import { whenOf } from '../format.js';
import type { ChatStore } from './store.js';

/**
 * Asks before joining the room of an invite link the tab was opened with: the room's name, kind, topic and size,
 * who made the link and until when it holds (what `invite_preview` says); Join or Not now.
 */
export function InviteOffer({ store }: { store: ChatStore }) {
  const offer = store.linkOffer.value;
  const join = useRef<HTMLButtonElement>(null);
  useEffect(() => join.current?.focus(), [offer]);
  if (!offer) return null;
  const { room, invitedBy, expiresAt } = offer.preview;
  const answer = (yes: boolean) => void store.answerLinkOffer(yes);
  return (
    <div class="switcher-layer">
      <button
        type="button"
        class="switcher-backdrop"
        aria-label="Not now"
        tabIndex={-1}
        onClick={() => answer(false)}
      />
      <div
        class="switcher invite-offer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="invite-offer-title"
        onKeyDown={(event) => {
          if (event.key === 'Escape') answer(false);
        }}
      >
        <p class="muted small">
          <bdi>{invitedBy.name}</bdi> invites you to
        </p>
        <h2 id="invite-offer-title">
          {room.kind === 'private' ? '🔒 ' : '# '}
          <bdi>{room.name}</bdi>
        </h2>
        {room.topic && <p class="topic">{room.topic}</p>}
        <p class="muted small">
          {room.kind === 'private' ? 'Private room' : 'Public room'} · {room.memberCount}{' '}
          {room.memberCount === 1 ? 'member' : 'members'}
          {expiresAt !== undefined && <> · the link holds until {whenOf(expiresAt)}</>}
        </p>
        <div class="row">
          <button ref={join} type="button" onClick={() => answer(true)}>
            Join {room.name}
          </button>
          <button type="button" class="link" onClick={() => answer(false)}>
            Not now
          </button>
        </div>
      </div>
    </div>
  );
}
