/**
 * The history as a CSV file a patient can hand to a doctor or open in a spreadsheet (RFC 4180: comma
 * separated, fields with a comma, quote or line break quoted, CRLF line ends), one row per result with
 * when, which calculator and version, what was entered and what came out. It is made on this device
 * and downloaded; nothing is sent.
 */

import { type Catalog, findInCatalog } from '../../app/catalog.js';
import type { HistoryEntry } from './store.js';
import { describeInputs } from './summary.js';

export const CSV_COLUMNS = [
  'Computed at (UTC)',
  'Calculator',
  'Calculator id',
  'Calculator version',
  'Values entered',
  'Result',
  'Meaning',
  'Result value',
  'Entry id',
] as const;

/** The cells of one entry, in CSV_COLUMNS order; the calculator's title and fields from `catalog`. */
export function csvRow(entry: HistoryEntry, catalog: Catalog): string[] {
  const computation = findInCatalog(catalog, entry.computationId);
  return [
    entry.computedAt,
    computation?.title ?? entry.computationId,
    entry.computationId,
    String(entry.computationVersion),
    describeInputs(computation, entry.inputs),
    entry.result.display,
    entry.result.category,
    String(entry.result.value),
    entry.id,
  ];
}

/**
 * A cell as CSV writes it. A text cell that a spreadsheet would run as a formula (= + - @ first, or a
 * tab or carriage return) gets a leading apostrophe, as OWASP advises against CSV injection.
 */
function csvCell(cell: string): string {
  const numeric = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(cell);
  const safe = !numeric && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Oldest first; a byte-order mark first so that spreadsheets read the file as UTF-8 (kg/m², CHA₂DS₂). */
export function historyToCsv(entries: readonly HistoryEntry[], catalog: Catalog): string {
  const rows = [CSV_COLUMNS as readonly string[], ...entries.map((entry) => csvRow(entry, catalog))];
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
