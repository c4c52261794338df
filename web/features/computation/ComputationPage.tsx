/**
 * A computation's page, built from its catalog entry: the form, the result and the transcript.
 * Typed values stay on this page; only their encrypted encodings are sent.
 */

import { type Dispatch, type FormEvent, type SetStateAction, useState } from 'react';
import type { Computation, Field, FormValues } from '../../../shared/computations/computation.js';
import {
  type FormErrors,
  formWarnings,
  seriesBounds,
  validateForm,
} from '../../../shared/computations/form.js';
import { type Draft, emptyDraft, formValuesOf } from './draft.js';
import { BooleanField, ChoiceField, controlIds, NumberField, readingId, SeriesField } from './fields.js';
import { ResultCard } from './ResultCard.js';
import './computation.css';
import { TranscriptPanel } from './TranscriptPanel.js';
import { useComputationRun } from './useComputationRun.js';

export function ComputationPage({ computation }: { computation: Computation }) {
  const formId = `form-${computation.id}`;
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(computation));
  // Messages appear after the first attempt to compute, then follow every edit.
  const [attempted, setAttempted] = useState(false);
  const values = formValuesOf(computation, draft);
  const { state, run } = useComputationRun(computation, values);
  const errors = attempted ? validateForm(computation, values) : {};
  // Warnings follow the typing from the start: they never block, they only say what the model covers.
  const warnings = formWarnings(computation, values);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    const found = validateForm(computation, values);
    const firstInvalid = computation.fields.find((field) => found[field.name]);
    if (firstInvalid) {
      const [firstBadReading] = invalidReadings(computation, firstInvalid, values, found);
      const control =
        firstBadReading === undefined
          ? controlIds(formId, firstInvalid).control
          : readingId(formId, firstInvalid, firstBadReading);
      document.getElementById(control)?.focus();
      return;
    }
    void run(values);
  }

  return (
    <>
      <p className="lead">{computation.description}</p>
      <form id={formId} className="computation-form" noValidate onSubmit={submit}>
        {computation.fields.map((field) => (
          <FieldControl
            key={field.name}
            field={field}
            formId={formId}
            draft={draft}
            values={values}
            errors={errors}
            warning={warnings[field.name]}
            onDraftChange={setDraft}
            computation={computation}
          />
        ))}
        <div className="form-actions">
          <button type="submit" disabled={state.running} aria-busy={state.running}>
            Compute
          </button>
          {state.running && (
            <span className="working" role="status">
              Encrypting and computing…
            </span>
          )}
        </div>
      </form>

      {state.failure && (
        <div className="alert" role="alert">
          <p className="alert-title">{state.failure.title}</p>
          <p>{state.failure.detail}</p>
        </div>
      )}
      <div aria-live="polite">
        {state.interpretation && state.values && (
          <ResultCard computation={computation} interpretation={state.interpretation} values={state.values} />
        )}
      </div>
      {state.transcript && <TranscriptPanel transcript={state.transcript} />}
    </>
  );
}

/**
 * The readings of a series field that are wrong on their own: each is checked by `validateForm` as
 * a one-reading series, so the rule stays the catalog's. Empty until the bounds are chosen.
 */
function invalidReadings(
  computation: Computation,
  field: Field,
  values: FormValues,
  errors: FormErrors,
): ReadonlySet<number> {
  const readings = values[field.name];
  if (
    field.kind !== 'series' ||
    !errors[field.name] ||
    !seriesBounds(field, values) ||
    !Array.isArray(readings)
  )
    return new Set();
  const invalid = new Set<number>();
  readings.forEach((reading: number, index) => {
    if (validateForm(computation, { ...values, [field.name]: [reading] })[field.name]) invalid.add(index);
  });
  return invalid;
}

function FieldControl(props: {
  computation: Computation;
  field: Field;
  formId: string;
  draft: Draft;
  values: FormValues;
  errors: FormErrors;
  warning: string | undefined;
  onDraftChange: Dispatch<SetStateAction<Draft>>;
}) {
  const { computation, field, formId, draft, values, errors, warning, onDraftChange } = props;
  const ids = controlIds(formId, field);
  const error = errors[field.name];
  switch (field.kind) {
    case 'number': {
      const number = draft.numbers[field.name] ?? { text: '', unit: field.units[0].id };
      return (
        <NumberField
          field={field}
          ids={ids}
          text={number.text}
          unit={number.unit}
          error={error}
          warning={warning}
          onChange={(next) => onDraftChange((d) => ({ ...d, numbers: { ...d.numbers, [field.name]: next } }))}
        />
      );
    }
    case 'boolean':
      return (
        <BooleanField
          field={field}
          ids={ids}
          checked={draft.flags[field.name] ?? false}
          error={error}
          onChange={(checked) =>
            onDraftChange((d) => ({ ...d, flags: { ...d.flags, [field.name]: checked } }))
          }
        />
      );
    case 'choice':
      return (
        <ChoiceField
          field={field}
          formId={formId}
          ids={ids}
          selected={draft.choices[field.name]}
          error={error}
          onChange={(value) =>
            onDraftChange((d) => ({ ...d, choices: { ...d.choices, [field.name]: value } }))
          }
        />
      );
    case 'series':
      return (
        <SeriesField
          field={field}
          formId={formId}
          ids={ids}
          bounds={seriesBounds(field, values)}
          texts={draft.series[field.name] ?? ['']}
          error={error}
          invalidReadings={invalidReadings(computation, field, values, errors)}
          onChange={(texts) => onDraftChange((d) => ({ ...d, series: { ...d.series, [field.name]: texts } }))}
        />
      );
  }
}
