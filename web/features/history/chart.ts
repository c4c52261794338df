/**
 * The geometry of a history chart (value over time), kept apart from React so it can be tested:
 * "nice" value ticks (1, 2 or 5 × 10^k apart, as axis labels are usually chosen), a time axis from the
 * first to the last result, and each result's position in SVG user units.
 */

export interface TimedValue {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly value: number;
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  /** Room for the value labels on the left and the dates below. */
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export interface ChartGeometry {
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly valueTicks: readonly { readonly y: number; readonly value: number }[];
  /** The plotting area's edges, for the axes. */
  readonly plot: { readonly x0: number; readonly x1: number; readonly y0: number; readonly y1: number };
}

/** About this many value ticks; the exact count follows from the step. */
const TARGET_TICKS = 4;

/** Ticks covering [min, max], `step` apart, at whole multiples of the step. */
export function niceTicks(min: number, max: number): number[] {
  const [low, high] = min === max ? [min - 1, max + 1] : [min, max];
  const rough = (high - low) / TARGET_TICKS;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const first = Math.floor(low / step);
  const last = Math.ceil(high / step);
  const ticks: number[] = [];
  // Multiply rather than add, so 0.1 steps do not drift into 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

export function chartGeometry(values: readonly TimedValue[], box: ChartBox): ChartGeometry {
  const plot = { x0: box.left, x1: box.width - box.right, y0: box.height - box.bottom, y1: box.top };
  const ticks = niceTicks(Math.min(...values.map((v) => v.value)), Math.max(...values.map((v) => v.value)));
  const low = ticks[0] ?? 0;
  const high = ticks[ticks.length - 1] ?? 1;
  const first = Math.min(...values.map((v) => v.time));
  const last = Math.max(...values.map((v) => v.time));
  const yOf = (value: number) => plot.y0 - ((value - low) / (high - low)) * (plot.y0 - plot.y1);
  // A single moment (or one result) sits in the middle of the time axis.
  const xOf = (time: number) =>
    last === first
      ? (plot.x0 + plot.x1) / 2
      : plot.x0 + ((time - first) / (last - first)) * (plot.x1 - plot.x0);
  return {
    plot,
    points: values.map((v) => ({ x: xOf(v.time), y: yOf(v.value) })),
    valueTicks: ticks.map((value) => ({ y: yOf(value), value })),
  };
}
