import { useEffect, useState } from 'preact/hooks';
import type { MessageVersion } from '../../../client/index.js';
import { whenOf } from '../format.js';
import type { ChatStore } from './store.js';

/** "(edited)" beside a message: opens or closes what it said before ({@link EditHistory}, one message at a time). */
export function EditedMark({ store, room, offset }: { store: ChatStore; room: string; offset: number }) {
  const shown = store.shownEdits.value;
  const open = shown?.room === room && shown.offset === offset;
  return (
    <button
      type="button"
      class="edited link"
      aria-expanded={open}
      title={open ? 'Hide what it said before' : 'Show what it said before'}
      onClick={() => {
        store.shownEdits.value = open ? null : { room, offset };
      }}
    >
      (edited)
    </button>
  );
}

/**
 * What an edited message said: its texts oldest first, each with when it was written, read from the server as it
 * opens (`edits`), shown as typed (not formatted), under the message's text.
 */
export function EditHistory({ store, room, offset }: { store: ChatStore; room: string; offset: number }) {
  const [found, setFound] = useState<{ versions: MessageVersion[]; partial?: true } | string | null>(null);
  useEffect(() => {
    let current = true;
    store.client.edits(room, offset).then(
      (edits) => current && setFound(edits),
      (error: Error) => current && setFound(error.message),
    );
    return () => {
      current = false;
    };
  }, [store, room, offset]);
  return (
    <section class="edit-history" aria-label="Edit history">
      {found === null && <p class="muted small">Loading…</p>}
      {typeof found === 'string' && <p class="error small">{found}</p>}
      {found !== null && typeof found !== 'string' && (
        <>
          {found.partial && <p class="muted small">Older versions were not kept.</p>}
          <ol>
            {found.versions.map((version, i) => (
              <li key={`${version.ts}:${i}`}>
                <span class="muted small">
                  {i === 0 && !found.partial ? 'Sent' : 'Edited'} {whenOf(version.ts)}
                </span>{' '}
                <span class="version-text">{version.text}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
