import { describe, expect, test } from 'vitest';
import { chartGeometry, niceTicks } from './chart.js';

describe('niceTicks', () => {
  test.each([
    [22.1, 24.3, [22, 23, 24, 25]],
    [0, 9, [0, 5, 10]],
    [1, 17, [0, 5, 10, 15, 20]],
    [0.12, 0.31, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]],
    [23, 23, [22, 22.5, 23, 23.5, 24]],
    [-3, 4, [-4, -2, 0, 2, 4]],
  ])('[%d, %d] → %j', (min, max, ticks) => {
    expect(niceTicks(min, max)).toEqual(ticks);
  });

  test('always covers the values, 3 to 7 ticks evenly spaced', () => {
    for (const [min, max] of [
      [0.001, 0.002],
      [5, 5000],
      [-100, -1],
      [17.3, 17.31],
    ] as const) {
      const ticks = niceTicks(min, max);
      expect(ticks[0]).toBeLessThanOrEqual(min);
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(7);
      const steps = ticks.slice(1).map((tick, i) => tick - (ticks[i] ?? 0));
      for (const step of steps) expect(step).toBeCloseTo(steps[0] ?? 0, 9);
    }
  });
});

describe('chartGeometry', () => {
  const box = { width: 600, height: 200, left: 50, right: 10, top: 10, bottom: 30 };
  const day = 86_400_000;

  test('puts the first and last results at the ends of the time axis, values on the tick scale', () => {
    const geometry = chartGeometry(
      [
        { time: 0, value: 20 },
        { time: 3 * day, value: 25 },
        { time: 4 * day, value: 30 },
      ],
      box,
    );
    expect(geometry.plot).toEqual({ x0: 50, x1: 590, y0: 170, y1: 10 });
    expect(geometry.valueTicks.map((tick) => tick.value)).toEqual([20, 25, 30]);
    expect(geometry.points).toEqual([
      { x: 50, y: 170 },
      { x: 50 + (3 / 4) * 540, y: 90 },
      { x: 590, y: 10 },
    ]);
  });

  test('a single result sits in the middle of the time axis, inside the value range', () => {
    const [point] = chartGeometry([{ time: 5 * day, value: 23 }], box).points;
    expect(point?.x).toBe(320);
    expect(point?.y).toBe(90);
  });
});
