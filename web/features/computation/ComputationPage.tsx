/**
 * A computation's page, built from its catalog entry: the form, the result and the transcript.
 * Typed values stay on this page; only their encrypted encodings are sent.
 */

import { type Dispatch, type FormEvent, type SetStateAction, useState } from 'react';
import type { Computation, Field } from '../../../shared/computations/computation.js';
import { validateForm } from '../../../shared/computations/form.js';
import { type Draft, emptyDraft, formValuesOf } from './draft.js';
import { BooleanField, ChoiceField, controlIds, NumberField } from './fields.js';
import { ResultCard } from './ResultCard.js';
import { TranscriptPanel } from './TranscriptPanel.js';
import { useComputationRun } from './useComputationRun.js';

export function ComputationPage({ computation }: { computation: Computation }) {
  const formId = `form-${computation.id}`;
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(computation));
  // Messages appear after the first attempt to compute, then follow every edit.
  const [attempted, setAttempted] = useState(false);
  const { state, run } = useComputationRun(computation);
  const values = formValuesOf(computation, draft);
  const errors = attempted ? validateForm(computation, values) : {};

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    const found = validateForm(computation, values);
    const firstInvalid = computation.fields.find((field) => found[field.name]);
    if (firstInvalid) {
      document.getElementById(controlIds(formId, firstInvalid).control)?.focus();
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
            error={errors[field.name]}
            onDraftChange={setDraft}
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
        {state.interpretation && <ResultCard interpretation={state.interpretation} />}
      </div>
      {state.transcript && <TranscriptPanel transcript={state.transcript} />}
    </>
  );
}

function FieldControl(props: {
  field: Field;
  formId: string;
  draft: Draft;
  error: string | undefined;
  onDraftChange: Dispatch<SetStateAction<Draft>>;
}) {
  const { field, formId, draft, error, onDraftChange } = props;
  const ids = controlIds(formId, field);
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
  }
}
