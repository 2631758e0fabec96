import { useMemo } from 'react';
import type { UsageSeries } from '../../api/types';
import { BarChart } from '../../components/charts/bar-chart';
import { RANGES, USAGE_CLASSES, bucketLabel, bucketTitle, countOf, describeUsage, rangeOf, totalsOf, type RangeId } from './usage-model';

/** Picks the range of the usage charts; the page keeps it in its URL. */
export function RangePicker({ value, onChange }: { value: RangeId; onChange: (range: RangeId) => void }) {
  return (
    <fieldset className="range-picker inline-options">
      <legend>Range</legend>
      {(Object.keys(RANGES) as RangeId[]).map((id) => (
        <label key={id} className="checkbox">
          <input type="radio" name="usage-range" value={id} checked={value === id} onChange={() => onChange(id)} /> {RANGES[id].label} ({RANGES[id].by})
        </label>
      ))}
    </fieldset>
  );
}

/**
 * Requests over time stacked by status class and refusals: the totals in words, the chart, and
 * the same numbers as a table (every bucket that had a request).
 */
export function UsageChart({ series, title }: { series: UsageSeries; title: string }) {
  const { granularity, buckets } = series;
  // named after the answer's own granularity, not the URL's range: while another range loads, the previous one stays on screen
  const range = rangeOf(granularity);
  const labels = useMemo(() => buckets.map((b) => bucketLabel(b.start, granularity)), [buckets, granularity]);
  const bars = useMemo(() => USAGE_CLASSES.map((c) => ({ label: c.label, color: c.color, values: buckets.map((b) => countOf(b, c.id)) })), [buckets]);
  const totals = totalsOf(buckets);
  const busy = buckets.filter((b) => b.total > 0);
  const what = `${title}, ${RANGES[range].label.toLowerCase()} ${RANGES[range].by}`;
  return (
    <div className="usage-chart">
      <dl className="usage-totals" aria-label={`${title}: totals`}>
        <div>
          <dt>Requests</dt>
          <dd data-usage="total">{totals.total.toLocaleString('en')}</dd>
        </div>
        {USAGE_CLASSES.map((c) => (
          <div key={c.id}>
            <dt>
              <span className="swatch" style={{ background: c.color }} aria-hidden="true" /> {c.label}
            </dt>
            <dd data-usage={c.id}>{totals[c.id].toLocaleString('en')}</dd>
          </div>
        ))}
      </dl>
      <BarChart
        labels={labels}
        series={bars}
        summary={describeUsage(buckets, granularity, what)}
        xTitle={`Time (${granularity}, your time zone)`}
        yTitle="Requests"
        stacked
      />
      <details className="chart-table">
        <summary>{title} as a table</summary>
        {busy.length === 0 ? (
          <p className="muted">No requests in this range.</p>
        ) : (
          <table aria-label={`${title} by ${granularity}`}>
            <thead>
              <tr>
                <th scope="col">{granularity === 'day' ? 'Day' : 'From'}</th>
                <th scope="col">Requests</th>
                {USAGE_CLASSES.map((c) => (
                  <th key={c.id} scope="col">
                    {c.id}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {busy.map((b) => (
                <tr key={b.start}>
                  <th scope="row" title={b.start}>
                    {bucketTitle(b.start, granularity)}
                  </th>
                  <td>{b.total}</td>
                  {USAGE_CLASSES.map((c) => (
                    <td key={c.id}>{countOf(b, c.id)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="field-hint">Buckets without requests are left out.</p>
      </details>
    </div>
  );
}
