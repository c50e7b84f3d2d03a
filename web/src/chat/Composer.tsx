import { useRef, useState } from 'preact/hooks';
import type { ChatStore } from './store.js';

/** The message box: Enter sends, Shift+Enter starts a new line; the length limit shows as it nears. */
export function Composer({ store, room }: { store: ChatStore; room: string }) {
  const [text, setText] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);
  const max = store.maxTextLength.value;
  const tooLong = text.length > max;
  const empty = text.trim() === '';
  const submit = () => {
    if (empty || tooLong) return;
    store.send(text);
    setText('');
    box.current?.focus();
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <textarea
        ref={box}
        id="composer-text"
        aria-label={`Message #${room}`}
        placeholder={`Message #${room}`}
        rows={1}
        value={text}
        onInput={(event) => {
          setText((event.target as HTMLTextAreaElement).value);
          store.typing();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            submit();
          }
        }}
      />
      <div class="composer-side">
        {text.length > max * 0.8 && (
          <span class={`count${tooLong ? ' over' : ''}`} aria-live="polite">
            {text.length}/{max}
          </span>
        )}
        <button type="submit" disabled={empty || tooLong}>
          Send
        </button>
      </div>
    </form>
  );
}
