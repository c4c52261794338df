/** One computation's results over time as an SVG line chart, summarised in words for every reader. */

import { useId, useRef } from 'react';
import { count, formatDate, formatTime, sameDay } from '../../app/format.js';
import { useWidth } from '../../app/useWidth.js';
import { type ChartBox, chartGeometry } from './chart.js';
import type { HistoryEntry } from './store.js';

/** Drawn at the width it is shown at (at least 280 px), so labels keep their size on a phone. */
const box = (width: number): ChartBox => ({
  width: Math.max(280, width),
  height: 220,
  left: 48,
  right: 20,
  top: 12,
  bottom: 28,
});
const tick = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** "3 results from 1 Mar 2026 to 3 May 2026: lowest …, highest …, latest …." */
export function chartSummary(entries: readonly HistoryEntry[]): string {
  const first = entries[0];
  const last = entries[entries.length - 1];
  if (!first || !last) return 'No results yet.';
  if (entries.length === 1)
    return `1 result, on ${formatDate(Date.parse(first.computedAt))}: ${first.result.display}.`;
  const byValue = [...entries].sort((a, b) => a.result.value - b.result.value);
  const [from, to] = [Date.parse(first.computedAt), Date.parse(last.computedAt)];
  const span = sameDay(from, to)
    ? `on ${formatDate(from)}, ${formatTime(from)} to ${formatTime(to)}`
    : `from ${formatDate(from)} to ${formatDate(to)}`;
  return (
    `${count(entries.length, 'result')} ${span}: lowest ${byValue[0]?.result.display}, ` +
    `highest ${byValue[byValue.length - 1]?.result.display}, latest ${last.result.display}.`
  );
}

export function HistoryChart({ title, entries }: { title: string; entries: readonly HistoryEntry[] }) {
  const titleId = useId();
  const summaryId = useId();
  const figure = useRef<HTMLElement>(null);
  const BOX = box(useWidth(figure, 640));
  const times = entries.map((entry) => Date.parse(entry.computedAt));
  const { plot, points, valueTicks } = chartGeometry(
    entries.map((entry, i) => ({ time: times[i] ?? 0, value: entry.result.value })),
    BOX,
  );
  const summary = chartSummary(entries);
  const firstTime = times[0] ?? 0;
  const lastTime = times[times.length - 1] ?? 0;
  // Results of one day are told apart by their time; the day is in the summary below.
  const label = sameDay(firstTime, lastTime) ? formatTime : formatDate;

  return (
    <figure className="history-chart" ref={figure}>
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-labelledby={`${titleId} ${summaryId}`}
        data-testid="history-chart"
      >
        <title id={titleId}>{`${title} over time`}</title>
        {valueTicks.map(({ y, value }) => (
          <g key={value}>
            <line className="history-chart-grid" x1={plot.x0} x2={plot.x1} y1={y} y2={y} />
            <text
              className="history-chart-label"
              x={plot.x0 - 6}
              y={y}
              textAnchor="end"
              dominantBaseline="middle"
            >
              {tick.format(value)}
            </text>
          </g>
        ))}
        <line className="history-chart-axis" x1={plot.x0} x2={plot.x1} y1={plot.y0} y2={plot.y0} />
        {/* A single moment sits mid-axis (chartGeometry), and so does its label. */}
        <text
          className="history-chart-label"
          x={lastTime === firstTime ? (plot.x0 + plot.x1) / 2 : plot.x0}
          y={BOX.height - 6}
          textAnchor={lastTime === firstTime ? 'middle' : 'start'}
        >
          {label(firstTime)}
        </text>
        {lastTime !== firstTime && (
          <text className="history-chart-label" x={plot.x1} y={BOX.height - 6} textAnchor="end">
            {label(lastTime)}
          </text>
        )}
        <polyline className="history-chart-line" points={points.map(({ x, y }) => `${x},${y}`).join(' ')} />
        {points.map(({ x, y }, i) => {
          const entry = entries[i];
          return (
            entry && (
              <circle
                key={entry.id}
                className={`history-chart-point history-chart-point-${entry.result.severity}`}
                cx={x}
                cy={y}
                r={5}
              >
                <title>{`${formatDate(times[i] ?? 0)}: ${entry.result.display}, ${entry.result.category}`}</title>
              </circle>
            )
          );
        })}
      </svg>
      <figcaption id={summaryId} data-testid="history-summary">
        {summary}
      </figcaption>
    </figure>
  );
}
