import { useEffect, useId, useState, type FormEvent } from 'react';
import { EVENT_TYPES } from '../../api/types';
import { Field } from '../../components/field';
import { NO_FILTERS, PAGE_SIZES, TYPE_PRESETS, fromDraft, sinceInput, toDraft, writeFilters, type AuditFilters, type DraftErrors, type EventType, type FilterDraft } from './filters';

const QUICK_RANGES: { label: string; ms: number }[] = [
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 24 hours', ms: 86_400_000 },
  { label: 'Last 7 days', ms: 7 * 86_400_000 },
];

function TextField({
  label,
  value,
  onChange,
  error,
  hint,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  placeholder?: string;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      <input type="text" spellCheck={false} autoComplete="off" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

function TimeField({ label, value, onChange, error }: { label: string; value: string; onChange: (value: string) => void; error?: string }) {
  return (
    <Field label={label} error={error}>
      <input type="datetime-local" step={1} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

/** The trail's filters as a form: nothing is asked until "Apply filters". */
export function FilterForm({
  applied,
  onApply,
  onPageSize,
  onOrder,
}: {
  applied: AuditFilters;
  onApply: (filters: AuditFilters) => void;
  onPageSize: (limit: number) => void;
  onOrder: (order: 'asc' | 'desc') => void;
}) {
  const [draft, setDraft] = useState<FilterDraft>(() => toDraft(applied));
  const [errors, setErrors] = useState<DraftErrors>({});
  const pageSizeId = useId();

  // The URL changed (back button, a key's "filter the trail", a shared link): show what applies.
  const appliedKey = writeFilters(applied).toString();
  useEffect(() => {
    setDraft(toDraft(applied));
    setErrors({});
    if (applied.types.length) setTypesOpen(true);
    // keyed on the value: a new but equal object is no change
  }, [appliedKey]);

  // the 21 types fold away while none is chosen, so the events show on a laptop screen
  const [typesOpen, setTypesOpen] = useState(applied.types.length > 0);
  const set = <K extends keyof FilterDraft>(name: K, value: FilterDraft[K]) => setDraft((d) => ({ ...d, [name]: value }));
  const selected = new Set<EventType>(draft.types);
  const toggle = (type: EventType) => {
    const next = new Set(selected);
    if (next.has(type)) next.delete(type);
    else next.add(type);
    set(
      'types',
      EVENT_TYPES.filter((t) => next.has(t)),
    );
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = fromDraft(draft);
    setErrors(result.errors);
    if (Object.keys(result.errors).length === 0) onApply(result.filters);
  };

  return (
    <form className="card audit-filters" onSubmit={submit} noValidate aria-label="Audit filters">
      <fieldset className="audit-types">
        <legend>Event types</legend>
        <div className="presets">
          <span className="muted">{draft.types.length ? `${draft.types.length} selected` : 'None selected: every type is shown.'}</span>
          {TYPE_PRESETS.map((p) => (
            <button key={p.label} type="button" className="link-button" onClick={() => set('types', [...p.types])}>
              {p.label}
            </button>
          ))}
          <button type="button" className="link-button" onClick={() => set('types', [])} disabled={!draft.types.length}>
            Any type
          </button>
        </div>
        <details className="audit-type-details" open={typesOpen} onToggle={(e) => setTypesOpen(e.currentTarget.open)}>
          <summary>Choose event types</summary>
          <div className="audit-type-grid">
            {EVENT_TYPES.map((t) => (
              <label key={t} className="checkbox">
                <input type="checkbox" checked={selected.has(t)} onChange={() => toggle(t)} />
                {t}
              </label>
            ))}
          </div>
        </details>
      </fieldset>
      <div className="row">
        <TextField label="Key ID" value={draft.keyId} onChange={(v) => set('keyId', v)} error={errors.keyId} placeholder="UUID" />
        <TextField label="Actor ID" value={draft.actorId} onChange={(v) => set('actorId', v)} error={errors.actorId} placeholder="key, user or system id" />
        <TextField label="IP address" value={draft.ip} onChange={(v) => set('ip', v)} error={errors.ip} placeholder="203.0.113.7" />
        <TextField label="Request ID" value={draft.requestId} onChange={(v) => set('requestId', v)} error={errors.requestId} />
      </div>
      <div className="row">
        <TimeField label="From" value={draft.from} onChange={(v) => set('from', v)} error={errors.from} />
        <TimeField label="To" value={draft.to} onChange={(v) => set('to', v)} error={errors.to} />
        <div className="shrink audit-quick-ranges" role="group" aria-label="Quick time ranges">
          {QUICK_RANGES.map((r) => (
            <button key={r.label} type="button" className="link-button" onClick={() => setDraft((d) => ({ ...d, from: sinceInput(r.ms), to: '' }))}>
              {r.label}
            </button>
          ))}
        </div>
        <div className="shrink">
          <label htmlFor={`${pageSizeId}-order`}>Order</label>
          <select
            id={`${pageSizeId}-order`}
            value={applied.order}
            onChange={(e) => {
              const order = e.target.value === 'asc' ? 'asc' : 'desc';
              set('order', order);
              onOrder(order);
            }}
          >
            <option value="desc">Newest first</option>
            <option value="asc">Log order (oldest first)</option>
          </select>
        </div>
        <div className="shrink">
          <label htmlFor={pageSizeId}>Page size</label>
          <select
            id={pageSizeId}
            value={applied.limit}
            onChange={(e) => {
              const limit = Number(e.target.value);
              set('limit', limit);
              onPageSize(limit);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="actions audit-filter-actions">
        <p className="field-hint">Times are in your time zone, to the second; From is included, To is not.</p>
        <button
          type="button"
          onClick={() => {
            setErrors({});
            onApply({ ...NO_FILTERS, limit: applied.limit, order: applied.order });
          }}
        >
          Clear filters
        </button>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </div>
    </form>
  );
}
