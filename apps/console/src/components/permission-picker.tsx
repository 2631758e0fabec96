import { useId } from 'react';
import { PERMISSIONS, PERMISSION_LABELS, ROLES, type Permission } from '../api/types';

/** Checkboxes for permissions, with the ADMIN / READONLY presets of CONTRACT.md. */
export function PermissionPicker({
  value,
  onChange,
  legend = 'Permissions',
  allowed,
  error,
}: {
  /** A key's may also hold the company's own permissions: shown nowhere here, and not kept by a change. */
  value: readonly string[];
  onChange: (next: Permission[]) => void;
  legend?: string;
  /** Permissions the caller may grant; the others are shown disabled. */
  allowed?: readonly Permission[];
  error?: string;
}) {
  const errorId = useId();
  const selected = new Set<string>(value);
  const toggle = (p: Permission) => {
    const next = new Set<string>(selected);
    if (next.has(p)) next.delete(p);
    else next.add(p);
    onChange(PERMISSIONS.filter((x) => next.has(x)));
  };
  return (
    <fieldset className="permission-picker" aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      <div className="presets">
        <span className="muted">Role presets:</span>
        {(Object.keys(ROLES) as (keyof typeof ROLES)[]).map((role) => (
          <button
            key={role}
            type="button"
            className="link-button"
            onClick={() => onChange(ROLES[role].filter((p) => !allowed || allowed.includes(p)))}
          >
            {role}
          </button>
        ))}
        <button type="button" className="link-button" onClick={() => onChange([])}>
          None
        </button>
      </div>
      {PERMISSIONS.map((p) => (
        <label key={p} className="checkbox">
          <input type="checkbox" checked={selected.has(p)} onChange={() => toggle(p)} disabled={!!allowed && !allowed.includes(p) && !selected.has(p)} />
          <code>{p}</code> <span className="muted">{PERMISSION_LABELS[p]}</span>
        </label>
      ))}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** `ADMIN`, `READONLY` or the list itself: how a set of permissions is shown in tables. */
export function describePermissions(permissions: readonly string[]): string {
  const set = new Set(permissions);
  for (const [role, granted] of Object.entries(ROLES)) {
    if (granted.length === set.size && granted.every((p) => set.has(p))) return role;
  }
  return permissions.length ? permissions.join(', ') : 'none';
}
