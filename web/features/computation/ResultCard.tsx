/** The decrypted result in the patient's terms, and a chart of any readings behind it. */

import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import { formWarnings, readSeries, seriesBounds } from '../../../shared/computations/form.js';
import { modelFingerprint } from '../../../shared/proofs/fingerprint.js';
import { ReadingsChart } from './ReadingsChart.js';

/** One sentence on what the service was given for this result: never what was typed. */
export function whatTheServiceSaw(computation: Computation): string {
  return (
    `The service saw only ${computation.inputs.length} encrypted numbers and your public key, none of ` +
    'what you typed; only this browser could decrypt its answer.'
  );
}

/** What the service proved about this answer, checked on this device before it was decrypted. */
export function verificationNote(computation: Computation): string {
  const { evaluation } = computation;
  return evaluation.kind === 'private-linear'
    ? 'Verified: the service proved this answer comes from its committed model ' +
        `(fingerprint ${modelFingerprint(evaluation.commitment)}), the same for every patient, applied to your encrypted numbers.`
    : 'Verified: the service proved this answer is the published formula applied to your encrypted numbers.';
}

export function ResultCard(props: {
  computation: Computation;
  interpretation: Interpretation;
  /** The values this result was computed from (not the form as edited since). */
  values: FormValues;
  /** The form has changed since: the result is not of the values now in it. */
  stale: boolean;
}) {
  const { computation, interpretation, values, stale } = props;
  const warnings = formWarnings(computation, values);
  const outsideFitted = computation.fields.filter((field) => warnings[field.name]);
  return (
    <section
      className={`result result-${interpretation.severity}${stale ? ' result-stale' : ''}`}
      aria-labelledby="result-heading"
      aria-describedby={stale ? 'result-stale-note' : undefined}
      data-stale={stale ? 'true' : undefined}
    >
      {stale && (
        <p id="result-stale-note" className="result-stale-note" data-testid="result-stale">
          Out of date: you have changed the form since this result was computed. Press Compute for a result of
          the values now in the form.
        </p>
      )}
      <h2 id="result-heading">{stale ? 'Previous result' : 'Result'}</h2>
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
      <p className="result-verified" data-testid="result-verified">
        {verificationNote(computation)}
      </p>
      <p className="result-note" data-testid="result-service-saw">
        {whatTheServiceSaw(computation)}
      </p>
    </section>
  );
}
