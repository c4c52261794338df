import { parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { loadServedCatalog } from '../../../server/served-catalog.js';
import { COMPUTATIONS } from '../../../shared/computations/catalog.js';
import type { Catalog } from '../../app/catalog.js';
import { CSV_COLUMNS, historyToCsv } from './export.js';
import type { HistoryEntry } from './store.js';

/** The catalog of a service that serves what the app ships. */
const SHIPPED: Catalog = { computations: COMPUTATIONS, loaded: true };

/** RFC 4180 read back by a maintained parser (not the module's own code): strict quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  return parse(text, { bom: true, record_delimiter: '\r\n' });
}

function entry(overrides: Partial<HistoryEntry>): HistoryEntry {
  return {
    id: 'e1',
    computationId: 'bmi',
    computationVersion: 1,
    computedAt: '2026-03-02T09:15:00.000Z',
    inputs: { weight: { value: 83.7, unit: 'kg' }, height: { value: 176.4, unit: 'cm' } },
    result: {
      value: 26.9,
      display: '26.9 kg/m²',
      category: 'Overweight',
      severity: 'warning',
      explanation: '',
    },
    sealed: { publicKey: { group: 'ffdhe3072', y: 'AA' }, response: {} },
    ...overrides,
  };
}

describe('historyToCsv', () => {
  test('one header row and one row per entry, every field back as written', () => {
    const csv = historyToCsv(
      [entry({}), entry({ id: 'e2', computedAt: '2026-03-03T10:00:00.000Z' })],
      SHIPPED,
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, first, second] = parseCsv(csv);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(first).toEqual([
      '2026-03-02T09:15:00.000Z',
      'Body-mass index',
      'bmi',
      '1',
      'Weight 83.7 kg; Height 176.4 cm',
      '26.9 kg/m²',
      'Overweight',
      '26.9',
      'e1',
    ]);
    expect(second?.[8]).toBe('e2');
  });

  test('quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas', () => {
    const tricky = entry({
      computationId: 'gone,"old"',
      result: {
        value: -1,
        display: '=HYPERLINK("x")',
        category: 'a\r\nb',
        severity: 'info',
        explanation: '',
      },
    });
    const [, row] = parseCsv(historyToCsv([tricky], SHIPPED));
    expect(row?.[1]).toBe('gone,"old"');
    expect(row?.[5]).toBe('\'=HYPERLINK("x")');
    expect(row?.[6]).toBe('a\r\nb');
    expect(row?.[7]).toBe('-1');
  });

  test('names a model the app does not ship by its catalog entry, and a shipped one the service dropped', () => {
    const mayo = loadServedCatalog().get('mayo-lung-nodule')?.computation;
    if (!mayo) throw new Error('mayo-lung-nodule is a built-in model file');
    expect(COMPUTATIONS.some((c) => c.id === mayo.id)).toBe(false);
    const served: Catalog = { computations: [mayo], loaded: true };
    const fromModel = entry({
      id: 'e3',
      computationId: mayo.id,
      computationVersion: mayo.version,
      inputs: { age: { value: 64, unit: 'years' }, smoker: true },
    });
    const [, model, shipped] = parseCsv(historyToCsv([fromModel, entry({})], served));
    expect(model?.slice(1, 4)).toEqual([mayo.title, mayo.id, String(mayo.version)]);
    expect(model?.[4]).toBe('Age 64 years; Current or former smoker');
    // bmi is not in this catalog (the service no longer serves it): the app's own title still names it.
    expect(shipped?.slice(1, 5)).toEqual(['Body-mass index', 'bmi', '1', 'Weight 83.7 kg; Height 176.4 cm']);
  });
});
