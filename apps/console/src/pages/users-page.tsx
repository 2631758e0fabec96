import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/problem';
import type { Permission, User, UserChanges } from '../api/types';
import { Dialog } from '../components/dialog';
import { Field } from '../components/field';
import { ErrorNotice, Loading, ReadOnlyNotice } from '../components/notices';
import { Pager, useCursorPager } from '../components/pager';
import { PermissionPicker, describePermissions } from '../components/permission-picker';
import { formatInstant } from '../format';
import { useSession } from '../session';

/** Owners of keys: a key never has more than its owner's permissions, and a disabled owner's keys stop working. */
export function UsersPage() {
  const { client, can, me } = useSession();
  const writable = can('users:write');
  const pager = useCursorPager();
  const [editing, setEditing] = useState<User | null>(null);
  const [creating, setCreating] = useState(false);
  const [toggling, setToggling] = useState<User | null>(null);

  const users = useQuery({
    queryKey: ['users', { cursor: pager.cursor }],
    queryFn: () => client.get('/v1/users', { params: { query: { limit: 50, cursor: pager.cursor } } }),
    placeholderData: (previous) => previous,
  });

  return (
    <section aria-labelledby="users-title">
      <div className="toolbar">
        <h1 id="users-title" className="grow">
          Users
        </h1>
        {writable && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create user
          </button>
        )}
      </div>
      <p className="muted">Users own keys. A key acts with its own permissions intersected with its owner's, and stops working while its owner is disabled.</p>
      {!writable && <ReadOnlyNotice permission="users:write" action="create, edit, disable or enable users" />}
      <ErrorNotice error={users.error} />
      {users.isPending ? (
        <Loading what="users" />
      ) : (
        users.data && (
          <>
            <div className="table-wrap">
              <table aria-label="Users">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Permissions</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    {writable && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {users.data.items.map((u) => (
                    <tr key={u.id}>
                      <td>
                        <strong>{u.name}</strong>
                        {u.id === me.ownerId && <span className="sub">owner of the signed-in key</span>}
                      </td>
                      <td>{u.email}</td>
                      <td>{describePermissions(u.permissions)}</td>
                      <td>
                        <span className={u.disabled ? 'badge badge-bad' : 'badge badge-ok'}>{u.disabled ? 'disabled' : 'active'}</span>
                      </td>
                      <td title={u.createdAt}>{formatInstant(u.createdAt)}</td>
                      {writable && (
                        <td className="actions-cell">
                          <button type="button" aria-label={`Edit ${u.name}`} onClick={() => setEditing(u)}>
                            Edit
                          </button>
                          <button type="button" aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`} onClick={() => setToggling(u)}>
                            {u.disabled ? 'Enable' : 'Disable'}
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pager={pager} nextCursor={users.data.nextCursor} label="Users" />
          </>
        )
      )}
      <UserFormDialog open={creating || !!editing} editing={editing} onClose={() => (setCreating(false), setEditing(null))} />
      <ToggleUserDialog target={toggling} onClose={() => setToggling(null)} />
    </section>
  );
}

function UserFormDialog({ open, editing, onClose }: { open: boolean; editing: User | null; onClose: () => void }) {
  const { client, me } = useSession();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>([]);
  useEffect(() => {
    if (!open) return;
    setEmail(editing?.email ?? '');
    setName(editing?.name ?? '');
    setPermissions(editing?.permissions ?? ['keys:read', 'keys:write', 'keys:verify']);
  }, [open, editing]);
  const mutation = useMutation({
    mutationFn: () => {
      if (!editing) return client.post('/v1/users', { body: { email: email.trim(), name: name.trim(), permissions } });
      const body: UserChanges = {};
      if (name.trim() !== editing.name) body.name = name.trim();
      if ([...permissions].sort().join() !== [...editing.permissions].sort().join()) body.permissions = permissions;
      return client.patch('/v1/users/{id}', { params: { path: { id: editing.id } }, body });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      close();
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  const fieldError = (field: string) => (mutation.error instanceof ApiError ? mutation.error.fieldMessage(field) : undefined);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };
  return (
    <Dialog open={open} title={editing ? `Edit user ${editing.name}` : 'Create user'} onClose={close}>
      <form onSubmit={submit}>
        <Field label="Email" error={fieldError('email')}>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} disabled={!!editing} required data-autofocus />
        </Field>
        <Field label="Name" error={fieldError('name')}>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <PermissionPicker value={permissions} onChange={setPermissions} allowed={me.permissions} error={fieldError('permissions')} />
        <ErrorNotice error={mutation.error} />
        <div className="actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={mutation.isPending}>
            {editing ? 'Save changes' : 'Create user'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ToggleUserDialog({ target, onClose }: { target: User | null; onClose: () => void }) {
  const { client, me } = useSession();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (u: User) => client.patch('/v1/users/{id}', { params: { path: { id: u.id } }, body: { disabled: !u.disabled } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      close();
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  const verb = target?.disabled ? 'Enable' : 'Disable';
  return (
    <Dialog open={!!target} title={`${verb} ${target?.name ?? ''}`} onClose={close}>
      {target && (
        <>
          {!target.disabled && target.id === me.ownerId && (
            <div className="notice notice-warn" role="note">
              This user owns the key the console is signed in with: that key stops working too, and the console signs you out.
            </div>
          )}
          <p>
            {target.disabled
              ? `${target.name}'s keys work again (those not revoked, expired or deleted).`
              : `Every key of ${target.name} is refused on every API instance before this returns, until the user is enabled again.`}
          </p>
          <ErrorNotice error={mutation.error} />
          <div className="actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="button" className={target.disabled ? 'primary' : 'danger'} onClick={() => mutation.mutate(target)} disabled={mutation.isPending}>
              {verb} user
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
