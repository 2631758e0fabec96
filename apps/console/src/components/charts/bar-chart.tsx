import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'react';

// only what the console draws: bars on a category axis against a linear one (tree-shaken by vite)
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface BarSeries {
  label: string;
  color: string;
  values: number[];
}

/**
 * A bar chart drawn by Chart.js on a canvas. The canvas is an image to assistive technology,
 * named by `summary` (the numbers it shows in words); every chart of the console also renders
 * its numbers as a table beside it. No animation: what is on screen is the data, at once.
 */
export function BarChart({
  labels,
  series,
  summary,
  xTitle,
  yTitle,
  stacked = false,
  horizontal = false,
  height = 260,
}: {
  labels: string[];
  series: BarSeries[];
  summary: string;
  xTitle: string;
  yTitle: string;
  stacked?: boolean;
  horizontal?: boolean;
  height?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    const datasets = series.map((s) => ({ label: s.label, data: s.values, backgroundColor: s.color, borderColor: s.color, borderWidth: 0, maxBarThickness: 48 }));
    const valueAxis = { stacked, beginAtZero: true, title: { display: true, text: yTitle }, ticks: { precision: 0 } };
    const categoryAxis = { stacked, title: { display: true, text: xTitle }, ticks: { autoSkip: true, maxRotation: 0, autoSkipPadding: 12 } };
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: series.length > 1, position: 'bottom', labels: { boxWidth: 14 } },
          tooltip: { mode: 'index', intersect: false },
        },
      },
    };
    if (!canvas.current) return;
    if (!chart.current) {
      chart.current = new Chart(canvas.current, config);
    } else {
      chart.current.data = config.data;
      chart.current.options = config.options!;
      chart.current.update();
    }
  }, [labels, series, xTitle, yTitle, stacked, horizontal]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={summary}>
        {summary}
      </canvas>
    </div>
  );
}
