import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/problem';
import type { ApiKey, CreatedKey, KeyChanges, NewKey, User } from '../../api/types';
import { apiBaseUrl, firstCallCommand, useClipboard } from '../../components/copy-field';
import { Dialog } from '../../components/dialog';
import { Field } from '../../components/field';
import { ErrorNotice } from '../../components/notices';
import { PermissionPicker } from '../../components/permission-picker';
import { formatInstant, formatSeconds, isoToLocalInput } from '../../format';
import { useSession } from '../../session';
import { EMPTY_KEY_FORM, createKeyBody, formFromKey, maxExpiry, updateKeyBody, type FieldErrors, type KeyFormValues } from './key-form';

/** Field errors from the browser's own checks, or from the API's problem document. */
function errorsOf(local: FieldErrors, apiError: unknown): FieldErrors {
  if (!(apiError instanceof ApiError) || !apiError.problem.errors) return local;
  const fromApi: FieldErrors = {};
  for (const e of apiError.problem.errors) fromApi[e.field] = e.message;
  return { ...fromApi, ...local };
}

const EXPIRY_PRESETS: [string, number | null][] = [
  ['Never', null],
  ['30 days', 30],
  ['90 days', 90],
  ['1 year', 364],
];

/** Create (no `editing`) or edit a key: every property of CONTRACT.md's create body. */
export function KeyFormDialog({
  open,
  editing,
  owners,
  onClose,
  onCreated,
}: {
  open: boolean;
  editing: ApiKey | null;
  owners: User[] | null;
  onClose: () => void;
  onCreated: (key: CreatedKey) => void;
}) {
  const { client, me, can } = useSession();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<KeyFormValues>(EMPTY_KEY_FORM);
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const idp = useId();

  useEffect(() => {
    if (!open) return;
    setValues(
      editing
        ? formFromKey(editing, isoToLocalInput)
        : {
            ...EMPTY_KEY_FORM,
            permissions: me.permissions.filter((p) => p === 'keys:verify'),
            // a restricted key hands out nothing wider: start from its own limits
            expiresAt: isoToLocalInput(me.expiresAt),
            allowedIps: me.allowedIps.join('\n'),
          },
    );
    setLocalErrors({});
  }, [open, editing, me.expiresAt, me.allowedIps, me.permissions]);

  const mutation = useMutation({
    // the answer of a create holds the key: not kept in the mutation cache once the dialog closes
    gcTime: 0,
    mutationFn: async (change: { id: string; body: KeyChanges } | { body: NewKey }): Promise<ApiKey | CreatedKey> =>
      'id' in change ? client.patch('/v1/keys/{id}', { params: { path: { id: change.id } }, body: change.body }) : client.post('/v1/keys', { body: change.body }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      if ('key' in result) onCreated(result);
      close();
    },
  });
  const { reset } = mutation;
  const close = () => {
    reset();
    onClose();
  };

  const set = <K extends keyof KeyFormValues>(field: K, value: KeyFormValues[K]) => setValues((v) => ({ ...v, [field]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (editing) {
      const result = updateKeyBody(editing, values);
      if ('errors' in result) return setLocalErrors(result.errors);
      setLocalErrors({});
      if (Object.keys(result.body).length === 0) return close();
      return mutation.mutate({ id: editing.id, body: result.body });
    }
    const result = createKeyBody(values);
    if ('errors' in result) return setLocalErrors(result.errors);
    setLocalErrors({});
    mutation.mutate({ body: result.body });
  };
  const errors = errorsOf(localErrors, mutation.error);
  const expiryPreset = (days: number | null) =>
    set('expiresAt', days === null ? '' : isoToLocalInput(new Date(Date.now() + days * 86_400_000).toISOString()));
  const canChooseOwner = !editing && owners && can('users:write');

  return (
    <Dialog open={open} title={editing ? `Edit key “${editing.name}”` : 'Create API key'} onClose={close} wide>
      <form onSubmit={submit} noValidate>
        <div className="row">
          <Field id={`${idp}-name`} label="Name" error={errors.name}>
            <input id={`${idp}-name`} type="text" value={values.name} maxLength={100} onChange={(e) => set('name', e.target.value)} data-autofocus />
          </Field>
          {!editing && (
            <Field id={`${idp}-type`} label="Type" error={errors.type} hint="Administration keys carry all of their owner's permissions, now and later.">
              <select id={`${idp}-type`} value={values.type} onChange={(e) => set('type', e.target.value as KeyFormValues['type'])}>
                <option value="standard">Standard (chosen permissions)</option>
                <option value="administration" disabled={!me.permissions.includes('admin.system.api')}>
                  Administration (owner's permissions)
                </option>
              </select>
            </Field>
          )}
        </div>
        <Field id={`${idp}-description`} label="Description" error={errors.description} hint="What uses this key, who to ask about it.">
          <textarea id={`${idp}-description`} value={values.description} maxLength={500} onChange={(e) => set('description', e.target.value)} />
        </Field>
        {values.type === 'standard' ? (
          <PermissionPicker value={values.permissions} onChange={(p) => set('permissions', p)} allowed={me.permissions} error={errors.permissions} />
        ) : (
          <p className="notice notice-info">An administration key has every permission of its owner.</p>
        )}
        <div className="row">
          <Field
            id={`${idp}-expires`}
            label="Expires at"
            error={errors.expiresAt}
            hint={`Empty: never. At most one year ahead (until ${maxExpiry().toLocaleDateString()}). Your local time.`}
          >
            <input
              id={`${idp}-expires`}
              type="datetime-local"
              value={values.expiresAt}
              max={isoToLocalInput(maxExpiry().toISOString())}
              onChange={(e) => set('expiresAt', e.target.value)}
            />
          </Field>
          <div className="shrink presets" role="group" aria-label="Expiry presets">
            {EXPIRY_PRESETS.map(([label, days]) => (
              <button
                key={label}
                type="button"
                className="link-button"
                onClick={() => expiryPreset(days)}
                disabled={!!me.expiresAt && (days === null || Date.now() + days * 86_400_000 > Date.parse(me.expiresAt))}
              >
                {label}
              </button>
            ))}
          </div>
        </div>
        {(me.expiresAt || me.allowedIps.length > 0) && (
          <div className="notice notice-info" role="note">
            The signed-in key is restricted, so the keys it {editing ? 'edits' : 'creates'} must stay inside its limits:
            {me.expiresAt && ` expire no later than ${formatInstant(me.expiresAt)}`}
            {me.expiresAt && me.allowedIps.length > 0 && ','}
            {me.allowedIps.length > 0 && ` allow only addresses within ${me.allowedIps.join(', ')}`}.
          </div>
        )}
        <Field
          id={`${idp}-ips`}
          label="Allowed IP addresses"
          error={errors.allowedIps ?? Object.entries(errors).find(([f]) => f.startsWith('allowedIps'))?.[1]}
          hint="IPv4/IPv6 addresses or CIDR ranges, one per line. Empty: any address."
        >
          <textarea id={`${idp}-ips`} value={values.allowedIps} onChange={(e) => set('allowedIps', e.target.value)} placeholder={'203.0.113.0/24\n2001:db8::/32'} />
        </Field>
        <fieldset>
          <legend>Rate limit</legend>
          <p className="field-hint">Empty: the server's default limit.</p>
          <div className="row">
            <Field id={`${idp}-rate`} label="Requests" error={errors['rateLimit.limit'] ?? errors.rateLimit}>
              <input id={`${idp}-rate`} type="number" min={1} value={values.rateLimit} onChange={(e) => set('rateLimit', e.target.value)} />
            </Field>
            <Field id={`${idp}-window`} label="Per window (seconds)" error={errors['rateLimit.windowSeconds']}>
              <input id={`${idp}-window`} type="number" min={1} value={values.rateWindowSeconds} onChange={(e) => set('rateWindowSeconds', e.target.value)} />
            </Field>
          </div>
        </fieldset>
        {canChooseOwner && (
          <Field id={`${idp}-owner`} label="Owner" error={errors.ownerId} hint="The key acts for its owner: it never has more than the owner's permissions.">
            <select id={`${idp}-owner`} value={values.ownerId} onChange={(e) => set('ownerId', e.target.value)}>
              <option value="">Me (the signed-in key's owner)</option>
              {owners
                .filter((u) => u.id !== me.ownerId)
                .map((u) => (
                  <option key={u.id} value={u.id} disabled={u.disabled}>
                    {u.name} &lt;{u.email}&gt;{u.disabled ? ' (disabled)' : ''}
                  </option>
                ))}
            </select>
          </Field>
        )}
        <ErrorNotice error={mutation.error} />
        <div className="actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={mutation.isPending}>
            {editing ? (mutation.isPending ? 'Saving…' : 'Save changes') : mutation.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * The one time a key is visible: a copy button, a plain warning, and nothing kept after
 * the dialog closes (the parent drops the key from its state).
 */
export function ShowOnceDialog({ created, onClose, rotatedFrom }: { created: CreatedKey | null; onClose: () => void; rotatedFrom?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const keyCopy = useClipboard(input);
  // the first call with the key filled in goes to the clipboard only: the page shows the placeholder
  const callCopy = useClipboard();
  const { reset: resetKeyCopy } = keyCopy;
  const { reset: resetCallCopy } = callCopy;
  useEffect(() => {
    resetKeyCopy();
    resetCallCopy();
  }, [created, resetKeyCopy, resetCallCopy]);
  return (
    <Dialog open={!!created} title={rotatedFrom ? 'Copy the rotated API key' : 'Copy your new API key'} onClose={onClose} dismissible={false}>
      {created && (
        <>
          <div className="notice notice-warn" role="note">
            <strong>This key will not be shown again.</strong> Copy it now and store it somewhere safe (a secret manager). Keyward keeps only a hash of
            it; if it is lost, rotate the key.
          </div>
          {rotatedFrom && <p>{rotatedFrom}</p>}
          <label htmlFor="new-api-key">New API key for “{created.name}”</label>
          <div className="secret-box">
            <input id="new-api-key" ref={input} type="text" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
            <button type="button" className="primary" onClick={() => keyCopy.copy(created.key)}>
              Copy
            </button>
          </div>
          <p role="status" className="muted">
            {keyCopy.copied === 'yes'
              ? 'Copied to the clipboard.'
              : keyCopy.copied === 'failed'
                ? 'The browser refused the clipboard: the key is selected, copy it with Ctrl+C.'
                : ' '}
          </p>
          <p className="first-call">
            First call: <code>{firstCallCommand(apiBaseUrl())}</code>{' '}
            <button type="button" className="link-button" onClick={() => callCopy.copy(firstCallCommand(apiBaseUrl(), created.key))}>
              Copy with this key filled in
            </button>
          </p>
          <p role="status" className="muted">
            {callCopy.copied === 'yes' ? 'The command, with the key, is on the clipboard.' : callCopy.copied === 'failed' ? 'The browser refused the clipboard.' : ' '}
          </p>
          <div className="actions">
            <button type="button" onClick={onClose}>
              I have stored the key
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

export function RevokeDialog({ target, onClose }: { target: ApiKey | null; onClose: () => void }) {
  const { client, me } = useSession();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const mutation = useMutation({
    mutationFn: (key: ApiKey) => client.post('/v1/keys/{id}/revoke', { params: { path: { id: key.id } }, body: reason.trim() ? { reason: reason.trim() } : {} }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      close();
    },
  });
  const close = () => {
    setReason('');
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={!!target} title={`Revoke key “${target?.name ?? ''}”`} onClose={close}>
      {target && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            mutation.mutate(target);
          }}
        >
          <p>
            Requests with <code>{target.start}…</code> are refused on every API instance before this returns. The key stays listed as revoked and its history stays in
            the audit trail. This cannot be undone.
          </p>
          {target.id === me.keyId && (
            <div className="notice notice-warn" role="note">
              This is the key the console is signed in with: it stops working as soon as this returns, and the console signs you out.
            </div>
          )}
          <label htmlFor="revoke-reason">Reason (recorded in the audit trail)</label>
          <textarea id="revoke-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="e.g. leaked in a public repository" />
          <ErrorNotice error={mutation.error} />
          <div className="actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={mutation.isPending}>
              {mutation.isPending ? 'Revoking…' : 'Revoke key'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

const GRACE_PRESETS = [0, 3600, 86_400, 604_800];

export function RotateDialog({ target, onClose, onRotated }: { target: ApiKey | null; onClose: () => void; onRotated: (key: CreatedKey, grace: number) => void }) {
  const { client, me } = useSession();
  const queryClient = useQueryClient();
  const [grace, setGrace] = useState('3600');
  const seconds = Number(grace);
  const valid = grace.trim() !== '' && Number.isInteger(seconds) && seconds >= 0 && seconds <= 604_800;
  const mutation = useMutation({
    gcTime: 0, // the answer holds the new key
    mutationFn: (key: ApiKey) => client.post('/v1/keys/{id}/rotate', { params: { path: { id: key.id } }, body: { gracePeriodSeconds: seconds } }),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      onRotated(created, seconds);
      close();
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <Dialog open={!!target} title={`Rotate key “${target?.name ?? ''}”`} onClose={close}>
      {target && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) mutation.mutate(target);
          }}
        >
          <p>A new key with the same settings is created. The old key keeps working until the grace period ends, then it expires everywhere.</p>
          {target.id === me.keyId && (
            <div className="notice notice-warn" role="note">
              This is the key the console is signed in with: it stops working when the grace period ends (at once with 0), and the console signs you out.
            </div>
          )}
          <label htmlFor="rotate-grace">Grace period (seconds)</label>
          <input id="rotate-grace" type="number" min={0} max={604800} value={grace} onChange={(e) => setGrace(e.target.value)} aria-describedby="rotate-grace-hint" />
          <p className="field-hint" id="rotate-grace-hint">
            0 to 604800 (7 days).{' '}
            {GRACE_PRESETS.map((s) => (
              <button key={s} type="button" className="link-button" onClick={() => setGrace(String(s))}>
                {s === 0 ? 'Immediately' : formatSeconds(s)}
              </button>
            ))}
          </p>
          {!valid && <p className="field-error">Grace period: must be a whole number of seconds from 0 to 604800.</p>}
          <ErrorNotice error={mutation.error} />
          <div className="actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={!valid || mutation.isPending}>
              {mutation.isPending ? 'Rotating…' : 'Rotate key'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function DeleteDialog({ target, onClose }: { target: ApiKey | null; onClose: () => void }) {
  const { client, me } = useSession();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const mutation = useMutation({
    mutationFn: (key: ApiKey) => client.delete('/v1/keys/{id}', { params: { path: { id: key.id } } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      close();
    },
  });
  const close = () => {
    setTyped('');
    mutation.reset();
    onClose();
  };
  const confirmed = !!target && typed.trim() === target.name;
  return (
    <Dialog open={!!target} title={`Delete key “${target?.name ?? ''}”`} onClose={close}>
      {target && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (confirmed) mutation.mutate(target);
          }}
        >
          <p>
            The key is refused everywhere and removed from the lists. Its history stays in the audit trail. This cannot be undone.
          </p>
          {target.id === me.keyId && (
            <div className="notice notice-warn" role="note">
              This is the key the console is signed in with: it stops working as soon as this returns, and the console signs you out.
            </div>
          )}
          <label htmlFor="delete-confirm">Type the key's name, “{target.name}”, to confirm</label>
          <input id="delete-confirm" type="text" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          <ErrorNotice error={mutation.error} />
          <div className="actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={!confirmed || mutation.isPending}>
              {mutation.isPending ? 'Deleting…' : 'Delete key'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
