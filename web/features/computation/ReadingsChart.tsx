/**
 * A small line chart of the readings the patient typed, drawn from the values on this page (they were
 * never sent). Plain SVG with classes and presentation attributes only: a strict `style-src 'self'`
 * refuses inline `style` attributes, and no chart library is worth that risk for one polyline.
 * The geometry (round ticks, scales) is the history chart's, with the reading's position as x.
 */

import { useId, useRef } from 'react';
import type { SeriesBounds } from '../../../shared/computations/computation.js';
import { useWidth } from '../../app/useWidth.js';
import { type ChartBox, chartGeometry } from '../history/chart.js';

/** Drawn at the width it is shown at (at least 280 px), so labels keep their size on a phone. */
const box = (width: number): ChartBox => ({
  width: Math.max(280, width),
  height: 220,
  left: 56,
  right: 16,
  top: 16,
  bottom: 32,
});
const tick = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function ReadingsChart(props: {
  readings: readonly number[];
  bounds: SeriesBounds;
  /** A decrypted value on the readings' scale (e.g. their mean), drawn as a dashed line. */
  reference: { readonly value: number; readonly label: string } | undefined;
}) {
  const { readings, bounds, reference } = props;
  const titleId = useId();
  const descId = useId();
  const figure = useRef<HTMLElement>(null);
  const BOX = box(Math.min(640, useWidth(figure, 600)));
  if (readings.length === 0) return null;

  // Readings at x = their position; the reference rides along as one extra value (at the first
  // position, so the x axis is unchanged) so that it shares the scale.
  const { plot, points, valueTicks } = chartGeometry(
    [
      ...readings.map((value, index) => ({ time: index, value })),
      ...(reference ? [{ time: 0, value: reference.value }] : []),
    ],
    BOX,
  );
  const readingPoints = points.slice(0, readings.length);
  const referenceY = points[readings.length]?.y;
  const first = readingPoints[0];
  const last = readingPoints[readingPoints.length - 1];

  return (
    <figure className="readings-chart" ref={figure}>
      {/* role="img" makes the drawing one image to assistive technology, named by its title, described by desc. */}
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height}`}
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
      >
        <title id={titleId}>
          {`${bounds.label}: ${readings.length} reading${readings.length === 1 ? '' : 's'} in ${bounds.unit}`}
        </title>
        <desc id={descId}>
          {`In order: ${readings.map((x) => tick.format(x)).join(', ')}.${reference ? ` Dashed line: ${reference.label}.` : ''}`}
        </desc>
        {valueTicks.map(({ y, value }) => (
          <g key={value}>
            <line className="readings-chart-grid" x1={plot.x0} x2={plot.x1} y1={y} y2={y} />
            <text
              className="readings-chart-label"
              x={plot.x0 - 8}
              y={y}
              textAnchor="end"
              dominantBaseline="middle"
            >
              {tick.format(value)}
            </text>
          </g>
        ))}
        {first && (
          <text className="readings-chart-label" x={first.x} y={BOX.height - 8} textAnchor="middle">
            1
          </text>
        )}
        {last && readings.length > 1 && (
          <text className="readings-chart-label" x={last.x} y={BOX.height - 8} textAnchor="middle">
            {readings.length}
          </text>
        )}
        {referenceY !== undefined && (
          <line
            className="readings-chart-reference"
            x1={plot.x0}
            x2={plot.x1}
            y1={referenceY}
            y2={referenceY}
            strokeDasharray="6 4"
          />
        )}
        <polyline
          className="readings-chart-line"
          points={readingPoints.map(({ x, y }) => `${x},${y}`).join(' ')}
          fill="none"
        />
        {readings.map((value, index) => {
          const point = readingPoints[index];
          return (
            point && (
              // biome-ignore lint/suspicious/noArrayIndexKey: a reading is identified by its position.
              <circle key={index} className="readings-chart-point" cx={point.x} cy={point.y} r={4}>
                {/* A tooltip on hover; assistive technology reads the desc above instead. */}
                <title>{`Reading ${index + 1}: ${tick.format(value)} ${bounds.unit}`}</title>
              </circle>
            )
          );
        })}
      </svg>
      <figcaption>
        Your readings ({bounds.unit}), reading 1 to {readings.length}
        {reference && <>; dashed line: {reference.label}</>}. Drawn from the values on this page, which were
        never sent.
      </figcaption>
    </figure>
  );
}
