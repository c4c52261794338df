/** The decrypted result in the patient's terms, and a chart of any readings behind it. */

import { isShipped } from '../../../shared/catalog-entry.js';
import type { LogEvidence } from '../../../shared/catalog-trust.js';
import type { Computation, FormValues, Interpretation } from '../../../shared/computations/computation.js';
import { formWarnings, readSeries, seriesBounds } from '../../../shared/computations/form.js';
import { LOG_POLICY } from '../../transparency/policy.js';
import { ReadingsChart } from './ReadingsChart.js';

/** One sentence on what the service was given for this result: never what was typed. */
export function whatTheServiceSaw(computation: Computation): string {
  return (
    `The service saw only ${computation.inputs.length} encrypted numbers and your public key, none of ` +
    'what you typed; only this browser could decrypt its answer.'
  );
}

/**
 * What the service proved about this answer, checked on this device before it was decrypted, and
 * why the model is the one every patient gets: shipped with this app, or logged in public and
 * cosigned by the log's witnesses (docs/TRANSPARENCY.md says what that does and does not prove).
 */
export function verificationNote(computation: Computation, log: LogEvidence | undefined): string {
  const proved =
    computation.evaluation.kind === 'private-linear'
      ? 'Verified: the service proved this answer comes from its committed model, applied to your encrypted numbers.'
      : 'Verified: the service proved this answer is the published formula applied to your encrypted numbers.';
  if (isShipped(computation)) return `${proved} The model is the one this app ships with.`;
  if (!log) return proved;
  const witnesses = LOG_POLICY?.local
    ? 'the local witnesses that run beside this service (a set-up for one machine, not independent)'
    : `${log.cosignedBy.length} independent witnesses (${log.cosignedBy.join(', ')})`;
  return (
    `${proved} This version is entry ${log.inclusion.index} of the service’s public transparency log, cosigned by ` +
    `${witnesses}: the service cannot show other patients another model under this version without it being seen.`
  );
}

export function ResultCard(props: {
  computation: Computation;
  interpretation: Interpretation;
  /** The values this result was computed from (not the form as edited since). */
  values: FormValues;
  /** The form has changed since: the result is not of the values now in it. */
  stale: boolean;
  /** What the transparency log check found for a computation the app does not ship. */
  log?: LogEvidence | undefined;
  /** The computation's fingerprint (`computationFingerprint`), made by the page when it opens. */
  fingerprint: string;
}) {
  const { computation, interpretation, values, stale, log, fingerprint } = props;
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
        {verificationNote(computation, log)}
      </p>
      <p className="result-model" data-testid="result-model">
        {computation.title}, version {computation.version}
        {isShipped(computation) ? '' : ' (not shipped with this app: a model the service serves)'}.
        Fingerprint{' '}
        <code className="fingerprint" data-testid="result-fingerprint">
          {fingerprint}
        </code>
      </p>
      <p className="result-note" data-testid="result-service-saw">
        {whatTheServiceSaw(computation)}
      </p>
    </section>
  );
}
