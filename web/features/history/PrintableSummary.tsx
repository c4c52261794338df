/**
 * The history as a patient hands it to a doctor: printed (or saved as a PDF from the print dialog),
 * one table per calculator with the date, the calculator and its version, the values entered and the
 * result with its meaning. It is only shown when printing (history.css's print rules).
 */

import { type Catalog, findInCatalog } from '../../app/catalog.js';
import { formatDateTime } from '../../app/format.js';
import type { HistoryEntry } from './store.js';
import { describeInputs } from './summary.js';

const printedOn = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });

export function PrintableSummary({
  entries,
  catalog,
}: {
  entries: readonly HistoryEntry[];
  catalog: Catalog;
}) {
  if (entries.length === 0) return null;
  const calculators = [...new Set(entries.map((entry) => entry.computationId))];
  return (
    <section className="print-summary" aria-label="Printable summary" data-testid="print-summary">
      <h2>Sealed Vitals: results summary</h2>
      <p>
        Printed on {printedOn.format(new Date())} from the patient’s own device. Values are as the patient
        entered them; each result was computed on encrypted values and decrypted on that device. General
        information, not a diagnosis.
      </p>
      {calculators.map((id) => {
        const computation = findInCatalog(catalog, id);
        const rows = entries.filter((entry) => entry.computationId === id).reverse();
        return (
          <table key={id} className="print-table">
            <caption>{computation?.title ?? id}</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Values entered</th>
                <th scope="col">Result</th>
                <th scope="col">Model</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.computedAt)}</td>
                  <td>{describeInputs(computation, entry.inputs)}</td>
                  <td>
                    <strong>{entry.result.display}</strong> {entry.result.category}
                  </td>
                  <td>
                    {computation?.title ?? id}, version {entry.computationVersion}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
    </section>
  );
}
