import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ChatMessage, matchedRanges } from '../../../client/index.js';
import { SEARCH_MAX_QUERY_LENGTH } from '../../../client/wire/search-words.js';
import { MessageLink } from './MessageLink.js';
import type { ChatStore } from './store.js';

/** The text with the start of each word a searched word begins marked, as the server matched it. */
function marked(text: string, words: string[]): Array<string | JSX.Element> {
  const parts: Array<string | JSX.Element> = [];
  let at = 0;
  for (const [start, end] of matchedRanges(text, words)) {
    parts.push(text.slice(at, start), <mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return parts;
}

/** One result: where and when, who, and the text with what matched; picking it opens the message in its room. */
function Result({
  store,
  message,
  words,
  onPicked,
}: {
  store: ChatStore;
  message: ChatMessage;
  words: string[];
  onPicked: () => void;
}) {
  return (
    <li>
      <MessageLink store={store} message={message} text={marked(message.text, words)} onPicked={onPicked} />
    </li>
  );
}

/** The filters a search box takes (client/search-query.ts), as its help says them. */
const FILTERS_HELP =
  'Filters: from:@name (or from:me), in:#room, has:file, has:link, before:, after: and on: a day (YYYY-MM-DD, today, yesterday)';

/**
 * Message search: words and filters typed, in this room or every room of the user; the filters as understood,
 * results newest first with what matched marked, more on request. A result opens its room at the message.
 */
export function SearchPanel({
  store,
  room,
  onClose,
  onPicked,
}: {
  store: ChatStore;
  room: string;
  onClose: () => void;
  onPicked: () => void;
}) {
  const state = store.search.value;
  const [query, setQuery] = useState(state?.query ?? '');
  const [scope, setScope] = useState<'all' | 'room'>(state?.room !== undefined ? 'room' : 'all');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const words = state?.words ?? [];
  const submit = (event: Event) => {
    event.preventDefault();
    if (query.trim() === '') return;
    void store.searchMessages(query, scope === 'room' ? room : undefined);
  };
  return (
    <section class="search-panel" aria-label="Search messages">
      <div class="search-head">
        <h2>Search</h2>
        <button
          type="button"
          class="link"
          onClick={() => {
            store.clearSearch();
            onClose();
          }}
        >
          Close
        </button>
      </div>
      <search>
        <form onSubmit={submit}>
          <input
            ref={input}
            type="search"
            aria-label="Search messages"
            placeholder="Words, from:@name, has:file…"
            title={FILTERS_HELP}
            maxLength={SEARCH_MAX_QUERY_LENGTH}
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                store.clearSearch();
                onClose();
              }
            }}
          />
          <select
            aria-label="Search in"
            value={scope}
            onChange={(e) => setScope((e.target as HTMLSelectElement).value as 'all' | 'room')}
          >
            <option value="all">All my rooms</option>
            <option value="room">This room</option>
          </select>
          <button type="submit" disabled={query.trim() === ''}>
            Search
          </button>
        </form>
      </search>
      {state === null && <p class="muted small search-help">{FILTERS_HELP}</p>}
      {state && state.labels.length > 0 && (
        <ul class="search-filters" aria-label="Filters">
          {state.labels.map((label) => (
            <li key={label}>{label}</li>
          ))}
        </ul>
      )}
      {state && (
        <div aria-live="polite">
          {state.problem && <p class="error small">{state.problem}</p>}
          {!state.busy && !state.problem && state.messages.length === 0 && (
            <p class="muted small">
              {/* The server looks at a bounded number of messages a page: older ones may still match. */}
              {state.next ? 'No messages found among the newest.' : 'No messages found.'}
            </p>
          )}
          {state.messages.length > 0 && (
            <ol class="search-results">
              {state.messages.map((message) => (
                <Result
                  key={`${message.room}:${message.offset}`}
                  store={store}
                  message={message}
                  words={words}
                  onPicked={onPicked}
                />
              ))}
            </ol>
          )}
          {state.busy && <p class="muted small">Searching…</p>}
          {state.next && !state.busy && (
            <button type="button" class="link" onClick={() => void store.moreResults()}>
              {state.messages.length === 0 ? 'Search older messages' : 'More results'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
