import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import type { QueryOf } from '../api/client';
import { Dialog } from '../components/dialog';
import { Field } from '../components/field';
import { ErrorNotice, Loading } from '../components/notices';
import { Pager, useCursorPager } from '../components/pager';
import { useSession } from '../session';
import { EventTable } from './audit/event-table';
import { FilterForm } from './audit/filter-form';
import { UUID_RE, describeFilters, hasFilters, readFilters, toApiFilter, writeFilters, type AuditFilters } from './audit/filters';
import { KeyInspector } from './audit/key-inspector';
import { formatBytes, saveBlob } from './audit/save-file';
import { VerifyButton, VerifyResult, useVerification } from './audit/verify-panel';

/** URL parameters of the key dialog (a key id and an instant: no secret). */
const HISTORY_PARAM = 'history';
const AT_PARAM = 'at';

type ExportFormat = QueryOf<'/v1/audit-events/export'>['format'];

/** Export CSV / Export JSONL: every event matching the applied filters, saved as a file. */
function ExportButtons({ filters }: { filters: AuditFilters }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const exporting = useMutation({
    mutationFn: async (format: ExportFormat) => {
      const { blob, filename } = await client.download({ format, ...toApiFilter(filters) });
      saveBlob(blob, filename);
      return { filename, size: blob.size };
    },
    // the export itself is recorded as AuditExported
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['audit-events'] }),
  });
  return (
    <>
      <div className="audit-export">
        {(['csv', 'jsonl'] as const).map((format) => (
          <button key={format} type="button" onClick={() => exporting.mutate(format)} disabled={exporting.isPending}>
            {exporting.isPending && exporting.variables === format ? 'Exporting…' : `Export ${format.toUpperCase()}`}
          </button>
        ))}
      </div>
      {exporting.data && !exporting.isPending && (
        <div className="notice notice-success audit-export-notice" aria-live="polite">
          Saved <code>{exporting.data.filename}</code> ({formatBytes(exporting.data.size)}): {describeFilters(filters).toLowerCase()}, every
          page, with position, prevHash and hash. The export is recorded in the trail as AuditExported.
        </div>
      )}
      <ErrorNotice error={exporting.error}>Export failed: </ErrorNotice>
    </>
  );
}

/** One filtered view of the trail, paged by cursor; a new filter is a new view (back to page 1). */
function Trail({ filters, onOpenKey }: { filters: AuditFilters; onOpenKey: (keyId: string) => void }) {
  const { client } = useSession();
  const pager = useCursorPager();
  const events = useQuery({
    queryKey: ['audit-events', writeFilters(filters).toString(), pager.cursor],
    queryFn: () => client.get('/v1/audit-events', { params: { query: { ...toApiFilter(filters), limit: filters.limit, order: filters.order, cursor: pager.cursor } } }),
    placeholderData: keepPreviousData,
  });
  const items = events.data?.items ?? [];
  const first = items[0];
  const last = items[items.length - 1];
  return (
    <section aria-labelledby="audit-trail-events">
      <div className="toolbar audit-trail-bar">
        <div className="grow">
          <h2 id="audit-trail-events" className="audit-h2">
            Events
          </h2>
          <p className="muted audit-showing">
            {describeFilters(filters)}, {filters.order === 'asc' ? 'in log order' : 'newest first'}
            {first && last ? ` · positions ${first.position}–${last.position} on this page` : ''}
          </p>
        </div>
        <button type="button" onClick={() => events.refetch()} disabled={events.isFetching}>
          {events.isFetching && !events.isPending ? 'Refreshing…' : 'Refresh'}
        </button>
        <ExportButtons filters={filters} />
      </div>
      <ErrorNotice error={events.error} />
      {events.isPending && <Loading what="audit events" />}
      {events.data && (
        <>
          <EventTable
            events={items}
            label="Audit events"
            onOpenKey={onOpenKey}
            empty={hasFilters(filters) ? 'No event matches these filters.' : 'The trail is empty.'}
          />
          <Pager pager={pager} nextCursor={events.data.nextCursor} label="Audit events" />
        </>
      )}
    </section>
  );
}

/** "Look up key": open a key's history and state by its ID. */
function KeyLookup({ onOpenKey }: { onOpenKey: (keyId: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const keyId = value.trim().toLowerCase();
    if (!UUID_RE.test(keyId)) return setError('A key ID is a UUID, such as 8a662044-8aa6-4008-b0af-42dd0ed9eb4f (not the key itself).');
    setError(null);
    onOpenKey(keyId);
  };
  return (
    <form className="audit-lookup" onSubmit={submit} noValidate aria-label="Key history lookup">
      <Field label="Look up key" error={error} className="grow">
        <input type="text" spellCheck={false} autoComplete="off" placeholder="key UUID" value={value} onChange={(e) => setValue(e.target.value)} />
      </Field>
      <button type="submit">Open history</button>
    </form>
  );
}

/**
 * The audit trail (issue 6): the company's append-only, hash-chained log with filters and
 * cursor paging, each event expandable to all it holds; a key's history and its state at an
 * instant; exports (CSV, JSONL) and an integrity check of the whole chain.
 */
export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => readFilters(new URLSearchParams(search)), [search]);
  const filtersKey = writeFilters(filters).toString();
  const historyOf = params.get(HISTORY_PARAM);
  const at = params.get(AT_PARAM);
  const verification = useVerification();

  const update = useCallback(
    (change: (p: URLSearchParams) => void) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          change(next);
          return next;
        },
        { preventScrollReset: true },
      ),
    [setParams],
  );

  const applyFilters = (next: AuditFilters) => setParams((current) => writeFilters(next, current));
  const openKey = (keyId: string) =>
    update((p) => {
      p.set(HISTORY_PARAM, keyId);
      p.delete(AT_PARAM);
    });
  const closeKey = () =>
    update((p) => {
      p.delete(HISTORY_PARAM);
      p.delete(AT_PARAM);
    });
  const setAt = (iso: string | null) =>
    update((p) => {
      if (iso) p.set(AT_PARAM, iso);
      else p.delete(AT_PARAM);
    });

  return (
    <section className="audit-page">
      <div className="audit-header">
        <div className="grow">
          <h1>Audit trail</h1>
          <p className="muted audit-intro">
            Every change to keys, users and settings, every use of a key and every refused request, in an append-only log where
            each event holds the hash of the one before it. Filters are kept in the address bar, so a view can be shared.
          </p>
        </div>
        <KeyLookup onOpenKey={openKey} />
        <div className="audit-verify-action">
          <VerifyButton verification={verification} />
        </div>
      </div>
      <VerifyResult verification={verification} />

      <FilterForm applied={filters} onApply={applyFilters} onPageSize={(limit) => applyFilters({ ...filters, limit })} onOrder={(order) => applyFilters({ ...filters, order })} />

      <Trail key={filtersKey} filters={filters} onOpenKey={openKey} />

      <Dialog open={historyOf !== null} title="Key history" onClose={closeKey} wide>
        {historyOf !== null && (
          <KeyInspector
            key={historyOf}
            keyId={historyOf}
            at={at}
            onAtChange={setAt}
            onOpenKey={openKey}
            onFilterTrail={(keyId) =>
              setParams((current) => {
                const next = writeFilters({ ...filters, keyId }, current);
                next.delete(HISTORY_PARAM);
                next.delete(AT_PARAM);
                return next;
              })
            }
          />
        )}
      </Dialog>
    </section>
  );
}
