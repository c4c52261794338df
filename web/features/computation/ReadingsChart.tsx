/**
 * A small line chart of the readings the patient typed, drawn from the values on this page (they were
 * never sent). Plain SVG with classes and presentation attributes only: a strict `style-src 'self'`
 * refuses inline `style` attributes, and no chart library is worth that risk for one polyline.
 */

import { useId } from 'react';
import type { SeriesBounds } from '../../../shared/computations/computation.js';

const WIDTH = 600;
const HEIGHT = 220;
const MARGIN = { top: 16, right: 16, bottom: 32, left: 56 } as const;
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const Y_TICKS = 4;

/** The y range: every reading and the reference line, with some air, on round numbers. */
function yDomain(values: readonly number[]): { low: number; high: number; step: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = Math.max(max - min, 1);
  const rawStep = (span * 1.2) / Y_TICKS;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= rawStep) ?? 10) * magnitude;
  const low = Math.floor((min - span * 0.1) / step) * step;
  const high = Math.max(Math.ceil((max + span * 0.1) / step) * step, low + step);
  return { low, high, step };
}

export function ReadingsChart(props: {
  readings: readonly number[];
  bounds: SeriesBounds;
  /** A decrypted value on the readings' scale (e.g. their mean), drawn as a dashed line. */
  reference: { readonly value: number; readonly label: string } | undefined;
}) {
  const { readings, bounds, reference } = props;
  const titleId = useId();
  const descId = useId();
  if (readings.length === 0) return null;

  const { low, high, step } = yDomain(reference ? [...readings, reference.value] : readings);
  const x = (index: number) =>
    MARGIN.left + (readings.length === 1 ? PLOT_WIDTH / 2 : (index * PLOT_WIDTH) / (readings.length - 1));
  const y = (value: number) => MARGIN.top + ((high - value) * PLOT_HEIGHT) / (high - low);
  const ticks = Array.from({ length: Math.round((high - low) / step) + 1 }, (_, i) => low + i * step);
  const format = (value: number) => value.toLocaleString('en', { maximumFractionDigits: 1 });
  const points = readings.map((value, index) => `${x(index)},${y(value)}`).join(' ');

  return (
    <figure className="readings-chart">
      {/* role="img" makes the drawing one image to assistive technology, described by its title and desc. */}
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} aria-describedby={descId}>
        <title id={titleId}>
          {`${bounds.label}: ${readings.length} reading${readings.length === 1 ? '' : 's'} in ${bounds.unit}`}
        </title>
        <desc id={descId}>
          {`In order: ${readings.map(format).join(', ')}.${reference ? ` Dashed line: ${reference.label}.` : ''}`}
        </desc>
        <g className="chart-grid">
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} />
              <text x={MARGIN.left - 8} y={y(tick)} textAnchor="end" dominantBaseline="middle">
                {format(tick)}
              </text>
            </g>
          ))}
          {[...new Set([0, readings.length - 1])].map((index) => (
            <text key={index} x={x(index)} y={HEIGHT - 8} textAnchor="middle">
              {index + 1}
            </text>
          ))}
        </g>
        {reference && (
          <g className="chart-reference">
            <line
              x1={MARGIN.left}
              x2={WIDTH - MARGIN.right}
              y1={y(reference.value)}
              y2={y(reference.value)}
              strokeDasharray="6 4"
            />
          </g>
        )}
        <polyline className="chart-line" points={points} fill="none" />
        <g className="chart-points">
          {readings.map((value, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a reading is identified by its position.
            <circle key={index} cx={x(index)} cy={y(value)} r={4} />
          ))}
        </g>
      </svg>
      <figcaption>
        Your readings ({bounds.unit}), reading 1 to {readings.length}
        {reference && <>; dashed line: {reference.label}</>}. Drawn from the values on this page, which were
        never sent.
      </figcaption>
    </figure>
  );
}
