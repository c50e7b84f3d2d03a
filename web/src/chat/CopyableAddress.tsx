import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * An address to hand on (a webhook's, an invite link): read-only, selected on focus, with a Copy button that says
 * when it copied. `children` go below it (how to try it).
 */
export function CopyableAddress({
  id,
  label,
  address,
  children,
}: {
  id: string;
  label: string;
  address: string;
  children?: ComponentChildren;
}) {
  const [copied, setCopied] = useState(false);
  // A new address is not copied yet.
  useEffect(() => setCopied(false), [address]);
  return (
    <div class="webhook-address">
      <label class="settings-label">
        {label}
        <input
          class="field"
          id={id}
          readOnly
          value={address}
          onFocus={(event) => (event.target as HTMLInputElement).select()}
        />
      </label>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard?.writeText(address).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      {children}
    </div>
  );
}
