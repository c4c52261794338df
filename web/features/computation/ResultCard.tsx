/** The decrypted result in the patient's terms, and a chart of any readings behind it. */

import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import { formWarnings, readSeries, seriesBounds } from '../../../shared/computations/form.js';
import { ReadingsChart } from './ReadingsChart.js';

export function ResultCard(props: {
  computation: Computation;
  interpretation: Interpretation;
  /** The values this result was computed from (not the form as edited since). */
  values: FormValues;
}) {
  const { computation, interpretation, values } = props;
  const warnings = formWarnings(computation, values);
  const outsideFitted = computation.fields.filter((field) => warnings[field.name]);
  return (
    <section className={`result result-${interpretation.severity}`} aria-labelledby="result-heading">
      <h2 id="result-heading">Result</h2>
      <p className="result-value" data-testid="result-value">
        {interpretation.display}
      </p>
      <p className="result-category" data-testid="result-category">
        {interpretation.category}
      </p>
      <p className="result-explanation" data-testid="result-explanation">
        {interpretation.explanation}
      </p>
      {outsideFitted.length > 0 && (
        <p className="result-caveat" data-testid="result-caveat">
          An extrapolation: {outsideFitted.map((field) => field.label.toLowerCase()).join(', ')}{' '}
          {outsideFitted.length === 1 ? 'lies' : 'lie'} outside the range the model was fitted on.
        </p>
      )}
      {computation.fields.map((field) => {
        const bounds = field.kind === 'series' ? seriesBounds(field, values) : undefined;
        return (
          bounds && (
            <ReadingsChart
              key={field.name}
              readings={readSeries(values, field.name)}
              bounds={bounds}
              reference={{
                value: interpretation.value,
                label: `the decrypted result, ${interpretation.display}`,
              }}
            />
          )
        );
      })}
      <p className="result-note">Decrypted in this browser with your private key.</p>
    </section>
  );
}
