import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

export type CopyOutcome = 'yes' | 'failed' | null;

/**
 * Writes text to the clipboard; when the browser refuses, the `fallback` field is selected so
 * Ctrl+C copies it. `reset` forgets the outcome (e.g. when the dialog shows another key).
 */
export function useClipboard(fallback?: RefObject<HTMLInputElement | null>) {
  const [copied, setCopied] = useState<CopyOutcome>(null);
  const copy = useCallback(
    async (text: string) => {
      try {
        await navigator.clipboard.writeText(text);
        setCopied('yes');
      } catch {
        fallback?.current?.select();
        setCopied('failed');
      }
    },
    [fallback],
  );
  const reset = useCallback(() => setCopied(null), []);
  return { copied, copy, reset };
}

/** The outcome of a copy, announced politely. */
export function CopyStatus({ copied, what }: { copied: CopyOutcome; what: string }) {
  return (
    <p role="status" className="muted copy-status">
      {copied === 'yes' ? `${what} copied to the clipboard.` : copied === 'failed' ? `The browser refused the clipboard: ${what.toLowerCase()} is selected, copy it with Ctrl+C.` : ' '}
    </p>
  );
}

/** A read-only value with a Copy button (nothing secret: a URL, a command with a placeholder). */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const input = useRef<HTMLInputElement>(null);
  const { copied, copy, reset } = useClipboard(input);
  useEffect(reset, [value, reset]);
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="secret-box">
        <input id={id} ref={input} type="text" readOnly value={value} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
        <button type="button" onClick={() => copy(value)} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </button>
      </div>
      <CopyStatus copied={copied} what={label} />
    </div>
  );
}

/** The API's base URL: the console is served by the API, so it is this page's origin. */
export function apiBaseUrl(): string {
  return window.location.origin;
}

/** The first call a key holder makes; `key` is filled in only for the clipboard, never shown or kept. */
export function firstCallCommand(base: string, key = '$KEYWARD_KEY'): string {
  return `curl -H "x-api-key: ${key}" ${base}/v1/me`;
}
