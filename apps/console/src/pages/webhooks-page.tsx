import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../api/problem';
import { EVENT_TYPES, type NewWebhook, type Webhook, type WebhookTestResult } from '../api/types';
import { Dialog } from '../components/dialog';
import { Field } from '../components/field';
import { ErrorNotice, Loading } from '../components/notices';
import { Pager, useCursorPager } from '../components/pager';
import { formatInstant, relativeTo } from '../format';
import { useSession } from '../session';
import { ConfirmDialog } from './system/confirm-dialog';

/** `*` on a webhook: every audit event of the company, in log order, with position and hash. */
const EVERY_EVENT = '*';
/** What a webhook may ask for: `*` (every audit event) or event types. */
type WebhookEvent = NewWebhook['events'][number];

const describeEvents = (events: string[]) => (events.includes(EVERY_EVENT) ? 'All events (audit stream)' : events.join(', '));

/** A receiver's answer in words: `200 in 12 ms`, `no answer (timeout) after 5000 ms`. */
function describeAttempt(r: { ok: boolean; status: number | null; durationMs: number; error: string | null }): string {
  const answer = r.status !== null ? `HTTP ${r.status}` : 'no answer';
  return `${r.ok ? 'Delivered' : 'Failed'}: ${answer} in ${r.durationMs} ms${r.error ? ` — ${r.error}` : ''}`;
}

/**
 * Webhooks (admin.system.api): the company's receivers with their state and backlog, a create
 * dialog, delete with confirmation, a test send with its result, and each webhook's delivery log.
 * Deliveries are signed with the company's shared secret (Keyward-Signature).
 */
export function WebhooksPage() {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const logOf = params.get('log');
  const pager = useCursorPager();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [tested, setTested] = useState<{ webhook: Webhook; result: WebhookTestResult } | null>(null);

  const list = useQuery({
    queryKey: ['webhooks', { cursor: pager.cursor }],
    queryFn: () => client.get('/v1/webhooks', { params: { query: { limit: 50, cursor: pager.cursor } } }),
    placeholderData: (previous) => previous,
    // backlog and state move while deliveries go on
    refetchInterval: 5_000,
  });
  const test = useMutation({
    mutationFn: (webhook: Webhook) => client.post('/v1/webhooks/{id}/test', { params: { path: { id: webhook.id } } }),
    onMutate: () => setTested(null),
    onSuccess: async (result, webhook) => {
      setTested({ webhook, result });
      await queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    },
  });
  const showLog = (id: string | null) => setParams(id ? { log: id } : {}, { replace: true });
  const selected = list.data?.items.find((w) => w.id === logOf) ?? null;

  return (
    <section aria-labelledby="webhooks-title">
      <div className="toolbar">
        <h1 id="webhooks-title" className="grow">
          Webhooks
        </h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create webhook
        </button>
      </div>
      <p className="muted">
        Keyward POSTs each event to the receiver as JSON, in log order, signed with the company's shared secret in the <code>Keyward-Signature</code> header, and
        retries until the receiver answers 2xx.
      </p>
      <ErrorNotice error={list.error} />
      {test.isPending && (
        <p role="status" className="muted">
          Sending a test…
        </p>
      )}
      <ErrorNotice error={test.error}>Test not sent: </ErrorNotice>
      {tested && (
        <div className={`notice ${tested.result.ok ? 'notice-success' : 'notice-error'}`} role="status" aria-label="Test result">
          Test to <code>{tested.webhook.url}</code>: {describeAttempt(tested.result)}
        </div>
      )}
      {list.isPending ? (
        <Loading what="webhooks" />
      ) : (
        list.data && (
          <>
            <div className="table-wrap">
              <table aria-label="Webhooks">
                <thead>
                  <tr>
                    <th scope="col">Receiver</th>
                    <th scope="col">Events</th>
                    <th scope="col">State</th>
                    <th scope="col">Backlog</th>
                    <th scope="col">Last delivery</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.length === 0 && (
                    <tr>
                      <td colSpan={6} className="empty">
                        No webhooks yet.
                      </td>
                    </tr>
                  )}
                  {list.data.items.map((w) => (
                    <tr key={w.id} data-webhook-id={w.id}>
                      <td>
                        <code className="webhook-url">{w.url}</code>
                        {w.description && <span className="sub">{w.description}</span>}
                      </td>
                      <td>{describeEvents(w.events)}</td>
                      <td>
                        <span className={`badge ${w.state === 'active' ? 'badge-ok' : 'badge-bad'}`}>{w.state}</span>
                        {w.failingSince && <span className="sub">since {relativeTo(w.failingSince)}</span>}
                        {w.nextAttemptAt && <span className="sub">next try {relativeTo(w.nextAttemptAt)}</span>}
                      </td>
                      <td data-backlog>{w.backlog.toLocaleString('en')}</td>
                      <td>
                        {w.lastDeliveryAt ? (
                          <span title={formatInstant(w.lastDeliveryAt)}>{relativeTo(w.lastDeliveryAt)}</span>
                        ) : (
                          <span className="muted">none yet</span>
                        )}
                        {w.lastStatus !== null && <span className="sub">HTTP {w.lastStatus}</span>}
                        {w.lastError && <span className="sub">{w.lastError}</span>}
                      </td>
                      <td className="actions-cell">
                        <button type="button" aria-label={`Send a test to ${w.url}`} disabled={test.isPending} onClick={() => test.mutate(w)}>
                          Send test
                        </button>
                        <button type="button" aria-label={`Delivery log of ${w.url}`} aria-pressed={logOf === w.id} onClick={() => showLog(logOf === w.id ? null : w.id)}>
                          Deliveries
                        </button>
                        <button type="button" aria-label={`Delete ${w.url}`} onClick={() => setDeleting(w)}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pager={pager} nextCursor={list.data.nextCursor} label="Webhooks" />
          </>
        )
      )}
      {selected && <DeliveryLog webhook={selected} />}
      <CreateWebhookDialog open={creating} onClose={() => setCreating(false)} />
      <DeleteWebhookDialog
        target={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(id) => {
          if (id === logOf) showLog(null);
          if (id === tested?.webhook.id) setTested(null);
        }}
      />
    </section>
  );
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const { client } = useSession();
  const pager = useCursorPager();
  const { reset } = pager;
  useEffect(reset, [webhook.id, reset]);
  const log = useQuery({
    queryKey: ['webhooks', 'deliveries', webhook.id, pager.cursor],
    queryFn: () => client.get('/v1/webhooks/{id}/deliveries', { params: { path: { id: webhook.id }, query: { limit: 50, cursor: pager.cursor } } }),
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[2] === webhook.id ? previous : undefined),
    refetchInterval: 5_000,
  });
  return (
    <section className="card webhook-log" aria-labelledby="webhook-log-title">
      <h2 id="webhook-log-title">
        Delivery log of <code>{webhook.url}</code>
      </h2>
      <p className="field-hint">Every attempt, newest first: a failed event is tried again (attempt 2, 3, …) before any later event is sent.</p>
      <ErrorNotice error={log.error} />
      {log.isPending ? (
        <Loading what="deliveries" />
      ) : (
        log.data && (
          <>
            <table aria-label="Deliveries">
              <thead>
                <tr>
                  <th scope="col">Attempted</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Status</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {log.data.items.length === 0 && (
                  <tr>
                    <td colSpan={6} className="empty">
                      Nothing delivered yet.
                    </td>
                  </tr>
                )}
                {log.data.items.map((d) => (
                  <tr key={d.id}>
                    <td title={d.attemptedAt} className="nowrap">
                      {formatInstant(d.attemptedAt)}
                    </td>
                    <td>
                      {d.eventType}{' '}
                      {d.test ? <span className="badge badge-neutral">test</span> : d.position !== null && <span className="sub">position {d.position}</span>}
                    </td>
                    <td>{d.attempt}</td>
                    <td>{d.status ?? '—'}</td>
                    <td>{d.durationMs} ms</td>
                    <td>
                      <span className={`badge ${d.ok ? 'badge-ok' : 'badge-bad'}`}>{d.ok ? 'delivered' : 'failed'}</span>
                      {d.error && <span className="sub">{d.error}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pager={pager} nextCursor={log.data.nextCursor} label="Deliveries" />
          </>
        )
      )}
    </section>
  );
}

/** The API's field errors (`url`, `events`, `events[0]`, `description`) by field. */
function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError) for (const e of error.problem.errors ?? []) out[e.field.replace(/\[\d+\]$|\.\d+$/, '')] ??= e.message;
  return out;
}

function CreateWebhookDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const idp = useId();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([EVERY_EVENT]);
  const [local, setLocal] = useState<Record<string, string>>({});
  const mutation = useMutation({
    mutationFn: (body: NewWebhook) => client.post('/v1/webhooks', { body }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['webhooks'] });
      close();
    },
  });
  const close = () => {
    setUrl('');
    setDescription('');
    setEvents([EVERY_EVENT]);
    setLocal({});
    mutation.reset();
    onClose();
  };
  const everything = events.includes(EVERY_EVENT);
  const toggle = (type: WebhookEvent) => setEvents((e) => (e.includes(type) ? e.filter((t) => t !== type) : [...e, type]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors: Record<string, string> = {};
    if (!url.trim()) errors.url = 'is required';
    if (events.length === 0) errors.events = 'choose at least one event, or all events';
    setLocal(errors);
    if (Object.keys(errors).length) return;
    mutation.mutate({ url: url.trim(), events: everything ? [EVERY_EVENT] : events, ...(description.trim() ? { description: description.trim() } : {}) });
  };
  const errors = { ...fieldErrors(mutation.error), ...local };
  return (
    <Dialog open={open} title="Create webhook" onClose={close} wide>
      <form onSubmit={submit} noValidate>
        <Field id={`${idp}-url`} label="URL" error={errors.url} hint="Where Keyward POSTs the events (http or https).">
          <input id={`${idp}-url`} type="text" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://siem.example.com/keyward" data-autofocus />
        </Field>
        <Field id={`${idp}-description`} label="Description" error={errors.description}>
          <input id={`${idp}-description`} type="text" value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <fieldset aria-describedby={errors.events ? `${idp}-events-error` : undefined}>
          <legend>Events</legend>
          <label className="checkbox">
            <input type="checkbox" checked={everything} onChange={() => setEvents(everything ? [] : [EVERY_EVENT])} /> All events (audit stream): every event of the
            company in log order, with its position and hash
          </label>
          <div className="webhook-event-types" role="group" aria-label="Event types">
            {[...EVENT_TYPES].sort().map((t) => (
              <label key={t} className="checkbox">
                <input type="checkbox" disabled={everything} checked={everything || events.includes(t)} onChange={() => toggle(t)} /> {t}
              </label>
            ))}
          </div>
          {errors.events && (
            <p className="field-error" id={`${idp}-events-error`} role="alert">
              Events: {errors.events}
            </p>
          )}
        </fieldset>
        <ErrorNotice error={mutation.error} />
        {mutation.error instanceof ApiError && mutation.error.code === 'SHARED_SECRET_REQUIRED' && (
          <p className="notice notice-info">
            Create the company's shared secret under “Shared secret” on the <Link to="/system">System page</Link>, then create the webhook.
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={mutation.isPending}>
            {mutation.isPending ? 'Creating…' : 'Create webhook'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteWebhookDialog({ target, onClose, onDeleted }: { target: Webhook | null; onClose: () => void; onDeleted: (id: string) => void }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (w: Webhook) => client.delete('/v1/webhooks/{id}', { params: { path: { id: w.id } } }),
    onSuccess: async (_, w) => {
      onDeleted(w.id);
      await queryClient.invalidateQueries({ queryKey: ['webhooks'] });
      close();
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={!!target}
      title="Delete webhook"
      confirmLabel="Delete webhook"
      danger
      busy={mutation.isPending}
      onConfirm={() => target && mutation.mutate(target)}
      onClose={close}
    >
      {target && (
        <p>
          Nothing more is sent to <code>{target.url}</code>
          {target.backlog > 0 && `, including the ${target.backlog} event${target.backlog === 1 ? '' : 's'} not yet delivered`}.
        </p>
      )}
      <ErrorNotice error={mutation.error} />
    </ConfirmDialog>
  );
}
