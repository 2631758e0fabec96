import type { ReactNode } from 'react';
import { describeError } from '../api/problem';

/** An API refusal as a readable message (never a stack trace), announced to screen readers. */
export function ErrorNotice({ error, children }: { error: unknown; children?: ReactNode }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      {children}
      {describeError(error)}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ReactNode }) {
  return (
    <div className="notice notice-success" role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Shown where the signed-in key lacks a permission: what is missing, nothing to click. */
export function ReadOnlyNotice({ permission, action }: { permission: string; action: string }) {
  return (
    <div className="notice notice-info" role="note">
      Read-only: the signed-in key lacks <code>{permission}</code>, so it cannot {action}.
    </div>
  );
}
