import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { QueryOf } from '../api/client';
import type { ApiKey, CreatedKey, KeyStatus, User, UserPage } from '../api/types';
import { CopyField, apiBaseUrl, firstCallCommand } from '../components/copy-field';
import { ErrorNotice, Loading, ReadOnlyNotice } from '../components/notices';
import { Pager, useCursorPager } from '../components/pager';
import { describePermissions } from '../components/permission-picker';
import { formatDate, formatInstant, formatSeconds, relativeTo } from '../format';
import { SECRET_INPUT_MESSAGE, looksLikeSecret } from '../secret-guard';
import { useSession } from '../session';
import { DeleteDialog, KeyFormDialog, RevokeDialog, RotateDialog, ShowOnceDialog } from './keys/key-dialogs';

const STATUSES: KeyStatus[] = ['active', 'revoked', 'expired'];
const PAGE_SIZES = [25, 50, 100];

/** Hygiene filters: keys never used, or not used for 30 or 90 days (the server's `unusedSince`). */
const UNUSED: Record<string, { label: string; since: () => string }> = {
  never: { label: 'Never used', since: () => new Date(0).toISOString() }, // used before 1970: never
  '30d': { label: 'Unused for 30 days', since: () => new Date(Date.now() - 30 * 86_400_000).toISOString() },
  '90d': { label: 'Unused for 90 days', since: () => new Date(Date.now() - 90 * 86_400_000).toISOString() },
};

const SORTS: Record<string, string> = {
  'createdAt:desc': 'Newest first',
  'createdAt:asc': 'Oldest first',
  'lastUsedAt:desc': 'Last used: most recent first',
  'lastUsedAt:asc': 'Last used: longest ago first',
  'name:asc': 'Name A→Z',
  'name:desc': 'Name Z→A',
};

/** Every company user, for owner names and the owner filter (needs users:read). */
export function useOwners(): User[] | null {
  const { client, can } = useSession();
  const query = useQuery({
    queryKey: ['users', 'all'],
    enabled: can('users:read'),
    queryFn: async () => {
      const all: User[] = [];
      let cursor: string | undefined;
      do {
        const page: UserPage = await client.get('/v1/users', { params: { query: { limit: 500, cursor } } });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    },
  });
  return query.data ?? null;
}

export function KeysPage() {
  const { client, can, me } = useSession();
  const writable = can('keys:write');
  // filters live in the page's URL (they hold no secret), so a filtered view can be shared
  const [params, setParams] = useSearchParams();
  const status = (params.get('status')?.split(',').filter((s): s is KeyStatus => STATUSES.includes(s as KeyStatus)) ?? []) as KeyStatus[];
  const q = params.get('q') ?? '';
  const ownerId = params.get('ownerId') ?? '';
  const limit = Number(params.get('limit')) || 50;
  const unused = params.get('unused') && Object.hasOwn(UNUSED, params.get('unused')!) ? params.get('unused')! : '';
  const sortParam = `${params.get('sort') ?? 'createdAt'}:${params.get('order') ?? (params.get('sort') === 'name' ? 'asc' : 'desc')}`;
  const sortOrder = Object.hasOwn(SORTS, sortParam) ? sortParam : 'createdAt:desc';
  // one of SORTS' keys, each `sort:order` as GET /v1/keys takes them
  const [sort, order] = sortOrder.split(':') as [QueryOf<'/v1/keys'>['sort'], QueryOf<'/v1/keys'>['order']];
  const [search, setSearch] = useState(q);
  const pager = useCursorPager();
  const owners = useOwners();
  const ownerName = (id: string) => {
    if (id === me.ownerId) return 'me';
    const u = owners?.find((o) => o.id === id);
    return u ? u.name : `${id.slice(0, 8)}…`;
  };

  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [created, setCreated] = useState<{ key: CreatedKey; note?: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  const [deleting, setDeleting] = useState<ApiKey | null>(null);

  const [searchError, setSearchError] = useState<string | null>(null);

  const keys = useQuery({
    queryKey: ['keys', { status, q, ownerId, limit, unused, sort, order, cursor: pager.cursor }],
    queryFn: () =>
      client.get('/v1/keys', {
        params: {
          query: {
        status,
        q,
        ownerId,
        limit,
        // the instant is taken when the list is asked for, so the key of the query stays put
        unusedSince: unused ? UNUSED[unused].since() : undefined,
        sort: sortOrder === 'createdAt:desc' ? undefined : sort,
        order: sortOrder === 'createdAt:desc' ? undefined : order,
        cursor: pager.cursor,
          },
        },
      }),
    placeholderData: (previous) => previous,
  });

  // a new filter starts at the first page: the cursor is dropped with it, never sent along
  const setFilter = (name: string, value: string) => setFilters({ [name]: value });
  const setFilters = (values: Record<string, string>) => {
    pager.reset();
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        for (const [name, value] of Object.entries(values)) {
          if (value) next.set(name, value);
          else next.delete(name);
        }
        return next;
      },
      { replace: true },
    );
  };
  const toggleStatus = (s: KeyStatus) => {
    const next = status.includes(s) ? status.filter((x) => x !== s) : [...status, s];
    setFilter('status', next.join(','));
  };

  return (
    <section aria-labelledby="keys-title">
      <div className="toolbar">
        <h1 id="keys-title" className="grow">
          API keys
        </h1>
        {writable && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
          >
            Create key
          </button>
        )}
      </div>
      {!writable && <ReadOnlyNotice permission="keys:write" action="create, edit, revoke, rotate or delete keys" />}
      <section className="card endpoint" aria-labelledby="endpoint-title">
        <h2 id="endpoint-title">Endpoint</h2>
        <p className="field-hint">Key holders call the API here, with their key in the <code>x-api-key</code> header (set it in <code>KEYWARD_KEY</code> first).</p>
        <div className="endpoint-fields">
          <CopyField id="endpoint-url" label="API base URL" value={apiBaseUrl()} />
          <CopyField id="endpoint-curl" label="First call" value={firstCallCommand(apiBaseUrl())} />
        </div>
      </section>
      <form
        className="toolbar card"
        role="search"
        aria-label="Filter keys"
        onSubmit={(e) => {
          e.preventDefault();
          if (looksLikeSecret(search)) return setSearchError(SECRET_INPUT_MESSAGE);
          setSearchError(null);
          setFilter('q', search.trim());
        }}
      >
        <div className="grow">
          <label htmlFor="keys-q">Search by name</label>
          <input
            id="keys-q"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="name contains…"
            aria-invalid={searchError ? true : undefined}
            aria-describedby={searchError ? 'keys-q-error' : undefined}
          />
          {searchError && (
            <p id="keys-q-error" className="field-error" role="alert">
              Search by name: {searchError}
            </p>
          )}
        </div>
        <fieldset className="shrink inline-options">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} className="checkbox">
              <input type="checkbox" checked={status.includes(s)} onChange={() => toggleStatus(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <div className="shrink">
          <label htmlFor="keys-unused">Usage</label>
          <select id="keys-unused" value={unused} onChange={(e) => setFilter('unused', e.target.value)}>
            <option value="">Any</option>
            {Object.entries(UNUSED).map(([id, u]) => (
              <option key={id} value={id}>
                {u.label}
              </option>
            ))}
          </select>
        </div>
        <div className="shrink">
          <label htmlFor="keys-sort">Sort</label>
          <select
            id="keys-sort"
            value={sortOrder}
            onChange={(e) => {
              const [nextSort, nextOrder] = e.target.value.split(':');
              setFilters(e.target.value === 'createdAt:desc' ? { sort: '', order: '' } : { sort: nextSort, order: nextOrder });
            }}
          >
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {owners && (
          <div>
            <label htmlFor="keys-owner">Owner</label>
            <select id="keys-owner" value={ownerId} onChange={(e) => setFilter('ownerId', e.target.value)}>
              <option value="">Anyone</option>
              {owners.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="shrink">
          <label htmlFor="keys-limit">Per page</label>
          <select id="keys-limit" value={limit} onChange={(e) => setFilter('limit', e.target.value === '50' ? '' : e.target.value)}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="shrink">
          Search
        </button>
      </form>

      <ErrorNotice error={keys.error} />
      {keys.isPending ? (
        <Loading what="keys" />
      ) : (
        keys.data && (
          <>
            <div className="table-wrap">
              <table aria-label="API keys">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Start</th>
                    <th scope="col">Permissions</th>
                    <th scope="col">Status</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    {writable && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {keys.data.items.length === 0 && (
                    <tr>
                      <td colSpan={writable ? 9 : 8} className="empty">
                        No keys match these filters.
                      </td>
                    </tr>
                  )}
                  {keys.data.items.map((k) => (
                    <tr key={k.id} data-key-id={k.id}>
                      <td>
                        <Link to={`/keys/${k.id}`} aria-label={`${k.name}: details and usage`}>
                          <strong>{k.name}</strong>
                        </Link>
                        {k.description && <span className="sub">{k.description}</span>}
                        {(k.allowedIps.length > 0 || k.rateLimit) && (
                          <span className="sub">
                            {k.allowedIps.length > 0 && `IPs: ${k.allowedIps.join(', ')}`}
                            {k.allowedIps.length > 0 && k.rateLimit && ' · '}
                            {k.rateLimit && `${k.rateLimit.limit} requests / ${formatSeconds(k.rateLimit.windowSeconds)}`}
                          </span>
                        )}
                      </td>
                      <td>
                        <code>{k.start}…</code>
                      </td>
                      <td>
                        {k.type === 'administration' ? (
                          <>
                            <span className="badge badge-neutral">administration</span>
                            <span className="sub">all of its owner's permissions</span>
                          </>
                        ) : (
                          describePermissions(k.permissions)
                        )}
                      </td>
                      <td>
                        <span className={`badge badge-${k.status}`}>{k.status}</span>
                        {k.revokedAt && (
                          <span className="sub nowrap" title={formatInstant(k.revokedAt)}>
                            {formatDate(k.revokedAt)}
                          </span>
                        )}
                        {k.replacedBy && k.status === 'active' && <span className="badge badge-warn">rotated</span>}
                        {k.id === me.keyId && <span className="sub">signed in with this key</span>}
                      </td>
                      <td>{ownerName(k.ownerId)}</td>
                      <td title={formatInstant(k.createdAt)} className="nowrap">
                        {formatDate(k.createdAt)}
                      </td>
                      <td title={k.lastUsedAt ?? undefined}>{k.lastUsedAt ? relativeTo(k.lastUsedAt) : 'Never'}</td>
                      <td title={(k.graceEndsAt ?? k.expiresAt) ?? undefined}>
                        {k.graceEndsAt && k.status === 'active' ? (
                          <>
                            <span className="nowrap">{formatDate(k.graceEndsAt)}</span>
                            <span className="sub">replaced: grace ends {relativeTo(k.graceEndsAt)}</span>
                          </>
                        ) : k.expiresAt ? (
                          <>
                            <span className="nowrap">{formatDate(k.expiresAt)}</span>
                            <span className="sub">{relativeTo(k.expiresAt)}</span>
                          </>
                        ) : (
                          'Never'
                        )}
                      </td>
                      {writable && (
                        <td className="actions-cell">
                          {k.status === 'active' && !k.replacedBy && (
                            <>
                              <button type="button" aria-label={`Edit ${k.name}`} onClick={() => (setEditing(k), setFormOpen(true))}>
                                Edit
                              </button>
                              <button type="button" aria-label={`Rotate ${k.name}`} onClick={() => setRotating(k)}>
                                Rotate
                              </button>
                              <button type="button" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                                Revoke
                              </button>
                            </>
                          )}
                          {k.status === 'active' && k.replacedBy && (
                            <button type="button" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                              Revoke now
                            </button>
                          )}
                          <button type="button" aria-label={`Delete ${k.name}`} onClick={() => setDeleting(k)}>
                            Delete
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pager={pager} nextCursor={keys.data.nextCursor} label="Keys" />
          </>
        )
      )}

      <KeyFormDialog
        open={formOpen}
        editing={editing}
        owners={owners}
        onClose={() => setFormOpen(false)}
        onCreated={(key) => setCreated({ key })}
      />
      <ShowOnceDialog created={created?.key ?? null} rotatedFrom={created?.note} onClose={() => setCreated(null)} />
      <RevokeDialog target={revoking} onClose={() => setRevoking(null)} />
      <RotateDialog
        target={rotating}
        onClose={() => setRotating(null)}
        onRotated={(key, grace) =>
          setCreated({ key, note: grace === 0 ? 'The old key stopped working now.' : `The old key keeps working for ${formatSeconds(grace)}, then expires.` })
        }
      />
      <DeleteDialog target={deleting} onClose={() => setDeleting(null)} />
    </section>
  );
}
