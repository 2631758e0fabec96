import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { SystemStatus } from '../../api/types';
import { ErrorNotice } from '../../components/notices';
import { useSession } from '../../session';
import { Announcement, type Result, STATUS_QUERY_KEY, When } from './shared';
import { HEARTBEAT_FIELDS, describeCentral, describeHeartbeat, describeInterval, describeTelemetry } from './system-model';

/** The telemetry switch, exactly what a heartbeat holds, and "Send heartbeat now". */
export function TelemetrySection({ status }: { status: SystemStatus }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const headingId = useId();
  const switchId = useId();
  const switchHintId = useId();
  const heartbeatHintId = useId();
  const { telemetry, central } = status;
  const state = describeTelemetry(telemetry);
  const canContact = describeCentral(central).canContact;
  const [result, setResult] = useState<Result | null>(null);
  const [asked, setAsked] = useState<boolean | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: STATUS_QUERY_KEY });

  const toggle = useMutation({
    mutationFn: (enabled: boolean) => client.put('/v1/system/telemetry', { body: { enabled } }),
    onMutate: () => setResult(null),
    onSuccess: (t) => {
      // the answer is the new telemetry state: shown at once, so the switch never flips back while the status reloads
      queryClient.setQueryData<SystemStatus>(STATUS_QUERY_KEY, (s) => (s ? { ...s, telemetry: t } : s));
      setResult({
        ok: true,
        text: t.enabled
          ? `Telemetry switched on${t.state === 'paused' ? ', but paused until the central link can be used' : `: the first heartbeat goes out now, then ${describeInterval(t.intervalMs)}`}.`
          : 'Telemetry switched off: no more scheduled heartbeats.',
      });
    },
    onSettled: refresh,
  });

  const heartbeat = useMutation({
    mutationFn: () => client.post('/v1/system/heartbeat'),
    onMutate: () => setResult(null),
    onSuccess: (r) => setResult(describeHeartbeat(r)),
    onSettled: refresh,
  });

  const every = describeInterval(telemetry.intervalMs);

  return (
    <section className="card system-card" aria-labelledby={headingId}>
      <h2 id={headingId}>Telemetry</h2>
      <div className={`system-banner system-banner-${state.tone}`}>
        <span className={`badge badge-${state.tone}`}>{state.label}</span>
        <p className="system-banner-text">{state.text}</p>
      </div>

      <div className="system-switch">
        <input
          id={switchId}
          type="checkbox"
          checked={asked ?? telemetry.enabled}
          onChange={(e) => {
            // shown at once (the mutation's pending state arrives a tick later)
            const enabled = e.target.checked;
            setAsked(enabled);
            toggle.mutate(enabled, { onSettled: () => setAsked(null) });
          }}
          disabled={toggle.isPending}
          aria-describedby={switchHintId}
        />
        <label htmlFor={switchId}>Send telemetry heartbeats</label>
      </div>
      <p id={switchHintId} className="field-hint">
        Opt-in, off by default. Turning it off changes nothing else: keys, users, the central link and the shared secret stay.
      </p>

      <h3 className="system-subhead">What is sent, and how often</h3>
      <p>
        While telemetry is on, Keyward sends one heartbeat <strong>{every}</strong> (TELEMETRY_INTERVAL_MS), the first at once,
        as <code>POST {central.url ?? '{CENTRAL_URL}'}/v1/heartbeat</code>. It carries the central API key as a bearer token and is
        signed with the shared secret (Keyward-Signature). A failed attempt is retried a few times with a growing delay. The body
        holds exactly these fields, and nothing else: no name, e-mail address, key, or id of a user or key leaves the installation.
      </p>
      <div className="table-wrap">
        <table className="system-table">
          <caption className="visually-hidden">Fields of a heartbeat</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">What it is</th>
            </tr>
          </thead>
          <tbody>
            {HEARTBEAT_FIELDS.map((f) => (
              <tr key={f.field}>
                <td>
                  <code>{f.field}</code>
                </td>
                <td>{f.meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="field-hint">Each heartbeat is recorded in the audit trail: HeartbeatSent with the body that was sent, or HeartbeatFailed.</p>

      <dl className="facts">
        <dt>Last heartbeat accepted</dt>
        <dd>
          <When iso={central.lastHeartbeatAt} empty="none" />
        </dd>
        <dt>Last failure</dt>
        <dd>
          {telemetry.lastFailureAt ? (
            <>
              <When iso={telemetry.lastFailureAt} />
              {telemetry.lastFailureReason && <span className="system-subline">{telemetry.lastFailureReason}</span>}
            </>
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
      </dl>

      <div className="toolbar system-actions">
        <button type="button" onClick={() => heartbeat.mutate()} disabled={!canContact || heartbeat.isPending} aria-describedby={heartbeatHintId}>
          {heartbeat.isPending ? 'Sending…' : 'Send heartbeat now'}
        </button>
      </div>
      <p id={heartbeatHintId} className="field-hint">
        {canContact
          ? 'One heartbeat, one attempt, even with telemetry off.'
          : 'Needs an active central link (see Central API above).'}
      </p>
      {result && <Announcement result={result} />}
      <ErrorNotice error={toggle.error ?? heartbeat.error} />
    </section>
  );
}
