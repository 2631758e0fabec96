import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { KeyStateAt } from '../../api/types';
import { ErrorNotice, Loading } from '../../components/notices';
import { Pager, useCursorPager } from '../../components/pager';
import { formatInstant, formatSeconds, localInputToIso } from '../../format';
import { useSession } from '../../session';
import { describeKeyState, keyStatusTone } from './describe';
import { EventTable } from './event-table';
import { UUID_RE, isoToLocalSeconds } from './filters';

const HISTORY_PAGE = 25;

function PermissionList({ permissions, none }: { permissions: string[]; none: string }) {
  if (!permissions.length) return <span className="muted">{none}</span>;
  return (
    <ul className="audit-permissions">
      {permissions.map((p) => (
        <li key={p}>
          <code>{p}</code>
        </li>
      ))}
    </ul>
  );
}

function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

/** The replayed state, readable: the answer first, then what it rests on. */
function KeyStateView({ state }: { state: KeyStateAt }) {
  const tone = keyStatusTone(state.status);
  return (
    <section className="audit-state" aria-label="Key state">
      <p className="audit-state-headline">
        <span className={`badge badge-${tone}`}>{state.status}</span> {describeKeyState(state)}
      </p>
      <dl className="facts audit-state-facts">
        <dt>At</dt>
        <dd>
          <time dateTime={state.at}>{formatInstant(state.at)}</time> <span className="muted">({state.at})</span>
        </dd>
        <dt>Could authenticate</dt>
        <dd>{yesNo(state.couldAuthenticate)}</dd>
        {state.existed && (
          <>
            <dt>Effective permissions</dt>
            <dd>
              <PermissionList permissions={state.effectivePermissions} none="none" />
            </dd>
            <dt>Type</dt>
            <dd>{state.type ?? '—'}</dd>
            <dt>Key permissions</dt>
            <dd>
              {state.type === 'administration' ? (
                <span>all of its owner's permissions (administration key)</span>
              ) : (
                <PermissionList permissions={state.permissions} none="none" />
              )}
            </dd>
            <dt>Owner</dt>
            <dd>
              {state.ownerId ? <code>{state.ownerId}</code> : '—'}
              {state.ownerDisabled !== null && <span className="muted"> · {state.ownerDisabled ? 'disabled' : 'enabled'}</span>}
            </dd>
            <dt>Owner permissions</dt>
            <dd>
              <PermissionList permissions={state.ownerPermissions} none="none" />
            </dd>
            <dt>Allowed addresses</dt>
            <dd>{state.allowedIps.length ? state.allowedIps.join(', ') : 'any address'}</dd>
            <dt>Expires</dt>
            <dd>{state.expiresAt ? formatInstant(state.expiresAt) : 'never'}</dd>
            {state.graceEndsAt && (
              <>
                <dt>Rotation grace ends</dt>
                <dd>{formatInstant(state.graceEndsAt)}</dd>
              </>
            )}
            <dt>Rate limit</dt>
            <dd>{state.rateLimit ? `${state.rateLimit.limit} requests per ${formatSeconds(state.rateLimit.windowSeconds)}` : 'the server default'}</dd>
          </>
        )}
        <dt>Replayed up to</dt>
        <dd>{state.asOfPosition === null ? 'no event yet' : `position ${state.asOfPosition}`}</dd>
      </dl>
    </section>
  );
}

/**
 * One key's history (every event concerning it, deleted keys too) and its state at a chosen
 * instant, replayed from the log: "could this key have done X at T?".
 */
export function KeyInspector({
  keyId,
  at,
  onAtChange,
  onOpenKey,
  onFilterTrail,
}: {
  keyId: string;
  /** The exact instant asked about (ISO), or null. */
  at: string | null;
  onAtChange: (at: string | null) => void;
  onOpenKey: (keyId: string) => void;
  onFilterTrail: (keyId: string) => void;
}) {
  const { client } = useSession();
  const pager = useCursorPager();
  const atInputId = useId();
  const atErrorId = useId();
  const [draft, setDraft] = useState(isoToLocalSeconds(at));
  const [draftError, setDraftError] = useState<string | null>(null);
  const stateHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setDraft(isoToLocalSeconds(at));
    setDraftError(null);
  }, [at]);

  const validId = UUID_RE.test(keyId);
  const history = useQuery({
    enabled: validId,
    queryKey: ['key-history', keyId, pager.cursor],
    queryFn: () => client.get('/v1/keys/{id}/history', { params: { path: { id: keyId }, query: { limit: HISTORY_PAGE, cursor: pager.cursor } } }),
    placeholderData: keepPreviousData,
  });

  const state = useQuery({
    queryKey: ['key-state', keyId, at],
    queryFn: () => client.get('/v1/keys/{id}/state', { params: { path: { id: keyId }, query: { at: at! } } }), // enabled only once `at` is set
    enabled: validId && at !== null,
  });

  const created = history.data?.items.find((e) => e.type === 'KeyCreated');
  const name = created && typeof created.data.name === 'string' ? created.data.name : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Unchanged input: keep the exact instant (an event's, to the millisecond).
    if (at && draft === isoToLocalSeconds(at)) return void state.refetch();
    const iso = localInputToIso(draft);
    if (!iso) return setDraftError('Choose a date and time.');
    setDraftError(null);
    onAtChange(iso);
  };

  if (!validId) {
    return (
      <div className="notice notice-error" role="alert">
        The address does not name a key ID: a key ID is a UUID, such as 8a662044-8aa6-4008-b0af-42dd0ed9eb4f.
      </div>
    );
  }

  return (
    <div className="audit-inspector">
      <dl className="facts">
        <dt>Key ID</dt>
        <dd>
          <code>{keyId}</code>
        </dd>
        {name !== null && (
          <>
            <dt>Name</dt>
            <dd>{name}</dd>
          </>
        )}
        {created && (
          <>
            <dt>Created</dt>
            <dd>
              <time dateTime={created.occurredAt}>{formatInstant(created.occurredAt)}</time> (position {created.position})
            </dd>
          </>
        )}
      </dl>
      <div className="actions audit-inspector-actions">
        <button type="button" onClick={() => onFilterTrail(keyId)}>
          Filter the trail by this key
        </button>
      </div>

      <h3 ref={stateHeading} tabIndex={-1}>
        State at a point in time
      </h3>
      <form className="toolbar" onSubmit={submit} noValidate>
        <div className="grow">
          <label htmlFor={atInputId}>State at</label>
          <input
            id={atInputId}
            type="datetime-local"
            step={1}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-invalid={draftError ? true : undefined}
            aria-describedby={draftError ? atErrorId : undefined}
          />
          {draftError && (
            <p id={atErrorId} className="field-error">
              {draftError}
            </p>
          )}
        </div>
        <button type="submit" className="primary">
          Show state
        </button>
        <button type="button" onClick={() => onAtChange(new Date().toISOString())}>
          Now
        </button>
      </form>
      <p className="field-hint">In your time zone, to the second. “State as of” on an event below asks for its exact instant.</p>
      <div aria-live="polite">
        {at === null && <p className="muted">Pick an instant to replay the key as it stood then.</p>}
        {at !== null && state.isPending && <Loading what="the key's state" />}
        <ErrorNotice error={state.error} />
        {at !== null && state.data && <KeyStateView state={state.data} />}
      </div>

      <h3>History</h3>
      <ErrorNotice error={history.error} />
      {history.isPending && <Loading what="the key's history" />}
      {history.data && (
        <>
          <EventTable
            events={history.data.items}
            label="Key history"
            showSubject={false}
            onOpenKey={onOpenKey}
            currentKeyId={keyId}
            empty="No event concerns this key."
            rowAction={(e) => (
              <button type="button" aria-label={`State as of event ${e.position}`} onClick={() => {
                  onAtChange(e.occurredAt);
                  // the answer is above the history: take the reader there
                  stateHeading.current?.focus();
                  stateHeading.current?.scrollIntoView({ block: 'start' });
                }}
              >
                State as of
              </button>
            )}
          />
          <Pager pager={pager} nextCursor={history.data.nextCursor} label="Key history" />
        </>
      )}
    </div>
  );
}
