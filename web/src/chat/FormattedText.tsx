import { useMemo } from 'preact/hooks';
import { Linkified } from './Linkified.js';
import { type Markup, markupOf } from './message-markup.js';

function Piece({ piece }: { piece: Markup }) {
  switch (piece.kind) {
    case 'text':
      return <Linkified text={piece.text} />;
    case 'code':
      return <code>{piece.text}</code>;
    case 'block':
      return (
        <pre class="code-block" dir="ltr">
          <code>{piece.text}</code>
        </pre>
      );
    case 'strong':
      return <strong>{piece.children.map(render)}</strong>;
    case 'em':
      return <em>{piece.children.map(render)}</em>;
    case 'del':
      return <del>{piece.children.map(render)}</del>;
    case 'quote':
      return <blockquote class="quote-block">{piece.children.map(render)}</blockquote>;
  }
}

const render = (piece: Markup) => <Piece piece={piece} />;

/**
 * A message's text with its formatting (message-markup.ts) and links; code is shown as typed, without links.
 * Only elements and text nodes: never HTML from the message.
 */
export function FormattedText({ text }: { text: string }) {
  // Read once per text, not at every render of the list (a few milliseconds for the worst 4,000 characters).
  const pieces = useMemo(() => markupOf(text), [text]);
  return <>{pieces.map(render)}</>;
}
