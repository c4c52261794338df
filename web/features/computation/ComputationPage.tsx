/**
 * A computation's page, built from its catalog entry: the form, the result and the transcript.
 * Typed values stay on this device; only their encrypted encodings are sent. A result belongs to the
 * values that made it: any edit marks it out of date until Compute makes a new one.
 */

import {
  type Dispatch,
  type FormEvent,
  type SetStateAction,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { Computation, Field, FormValues } from '../../../shared/computations/computation.js';
import {
  type FormErrors,
  formWarnings,
  seriesBounds,
  validateForm,
} from '../../../shared/computations/form.js';
import { computationFingerprint } from '../../../shared/proofs/fingerprint.js';
import { serviceReachability } from '../../app/connectivity.js';
import { HealthRecordImport, hasRecordCodes, type RecordValues } from '../fhir/HealthRecordImport.js';
import { type Draft, emptyDraft, formValuesOf, unreadableNumbers } from './draft.js';
import {
  BooleanField,
  ChoiceField,
  controlIds,
  DateField,
  NumberField,
  readingDays,
  readingId,
  SeriesField,
} from './fields.js';
import { forgetDraft, recallDraft, rememberDraft } from './form-memory.js';
import { ResultCard } from './ResultCard.js';
import type { RecordResult } from './run.js';
import './computation.css';
import { TranscriptPanel } from './TranscriptPanel.js';
import { useComputationRun } from './useComputationRun.js';

/** Form values compare as their JSON: plain numbers, strings, booleans and arrays, in field order. */
function sameValues(a: FormValues, b: FormValues): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `record` keeps each result shown (the history's `recordResult`). */
export function ComputationPage({ computation, record }: { computation: Computation; record: RecordResult }) {
  const formId = `form-${computation.id}`;
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(computation));
  // Messages appear after the first attempt to compute, then follow every edit.
  const [attempted, setAttempted] = useState(false);
  const edited = useRef(false);
  // Values filled from a health record are not remembered until the patient computes with them.
  const [holdFromRecord, setHoldFromRecord] = useState(false);
  const values = formValuesOf(computation, draft);
  const { state, run } = useComputationRun(computation, values, record);
  const invalid = validateForm(computation, values);
  // A text that is not a number at all says why, rather than asking for the value as if it were empty.
  const errors = attempted ? { ...invalid, ...unreadableNumbers(computation, draft) } : {};
  // Warnings follow the typing from the start: they never block, they only say what the model covers.
  // A value that is wrong gets its error alone, not also a note on the model's range.
  const warnings = Object.fromEntries(
    Object.entries(formWarnings(computation, values)).filter(([name]) => !invalid[name]),
  );
  const plausibility = Object.keys(invalid).length === 0 ? computation.plausibility?.(values) : undefined;
  const stale = state.values !== undefined && !sameValues(state.values, values);
  // Hashed when the page opens (canonical JSON and SHA-256), not while a result is being drawn.
  const fingerprint = useMemo(() => computationFingerprint(computation), [computation]);

  // The form as it was last left on this device. Its fields wait for it (a few milliseconds): text
  // typed while it was on its way would otherwise be overwritten by it, or run into it.
  const [recalled, setRecalled] = useState(false);
  useEffect(() => {
    let current = true;
    void recallDraft(computation).then((draft) => {
      if (!current) return;
      if (draft && !edited.current) setDraft(draft);
      setRecalled(true);
    });
    return () => {
      current = false;
    };
  }, [computation]);
  useEffect(() => {
    if (!edited.current || holdFromRecord) return;
    // An empty form is nothing to remember (and Clear the form must not leave one behind).
    const empty = JSON.stringify(draft) === JSON.stringify(emptyDraft(computation));
    void (empty ? forgetDraft(computation) : rememberDraft(computation, draft)).catch(() => undefined);
  }, [computation, draft, holdFromRecord]);
  // Computed: the history keeps these inputs (sealed), so the form may be remembered as well.
  useEffect(() => {
    if (state.interpretation) setHoldFromRecord(false);
  }, [state.interpretation]);

  // Whether the service is there, before the patient fills in the form for nothing.
  useEffect(() => void serviceReachability.check(), []);
  useEffect(() => {
    const { transcript, failure } = state;
    if (state.interpretation) serviceReachability.answered();
    // No status and no body: the request never reached the service.
    else if (failure && transcript?.status === undefined) void serviceReachability.check();
  }, [state]);

  // A new result is brought into view (on a phone it starts below the fold) and announced below.
  const result = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!state.interpretation && !state.failure) return;
    const element = result.current;
    if (!element) return;
    const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    // Just enough to show it whole (nothing moves when it is in view); a taller one from its top.
    const taller = element.getBoundingClientRect().height > window.innerHeight;
    element.scrollIntoView({
      block: taller ? 'start' : 'nearest',
      behavior: reduceMotion ? 'auto' : 'smooth',
    });
  }, [state.interpretation, state.failure]);

  const editDraft: Dispatch<SetStateAction<Draft>> = (update) => {
    edited.current = true;
    setDraft(update);
  };

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    const firstInvalid = computation.fields.find((field) => invalid[field.name]);
    if (firstInvalid) {
      const [firstBadReading] = invalidReadings(computation, firstInvalid, values, invalid);
      const control =
        firstBadReading === undefined
          ? controlIds(formId, firstInvalid).control
          : readingId(formId, firstInvalid, firstBadReading);
      document.getElementById(control)?.focus();
      return;
    }
    void run(values);
  }

  function clearForm() {
    edited.current = true;
    setHoldFromRecord(false);
    setDraft(emptyDraft(computation));
    setAttempted(false);
  }

  function fillFromRecord(values: RecordValues) {
    if (Object.keys(values).length === 0) return;
    setHoldFromRecord(true);
    editDraft((d) => draftWith(d, values));
  }

  return (
    <>
      <p className="lead">{computation.description}</p>
      {hasRecordCodes(computation) && (
        <HealthRecordImport computation={computation} onFill={fillFromRecord} />
      )}
      <form id={formId} className="computation-form" noValidate onSubmit={submit}>
        <fieldset className="computation-fields" disabled={!recalled} aria-busy={!recalled}>
          {computation.fields.map((field) => (
            <FieldControl
              key={field.name}
              field={field}
              formId={formId}
              draft={draft}
              values={values}
              errors={errors}
              warning={warnings[field.name]}
              onDraftChange={editDraft}
              computation={computation}
            />
          ))}
        </fieldset>
        <div role="status" className="field-status">
          {plausibility && (
            <p className="field-warning" data-testid="plausibility">
              {plausibility}
            </p>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" disabled={state.running} aria-busy={state.running}>
            Compute
          </button>
          <button type="button" className="secondary" onClick={clearForm}>
            Clear the form
          </button>
          {state.running && (
            <span className="working" role="status">
              Encrypting and computing…
            </span>
          )}
        </div>
        <p className="field-help">The form is kept on this device for next time; it is never sent.</p>
      </form>

      <div ref={result} className="result-anchor">
        {state.failure && (
          <div className="alert" role="alert">
            <p className="alert-title">{state.failure.title}</p>
            <p>{state.failure.detail}</p>
          </div>
        )}
        {state.interpretation && state.values && (
          <ResultCard
            computation={computation}
            interpretation={state.interpretation}
            values={state.values}
            stale={stale}
            log={state.transcript?.log}
            fingerprint={fingerprint}
          />
        )}
        {state.interpretation && !state.kept && (
          <p className="field-warning not-kept" role="status" data-testid="not-kept">
            This result was not kept in your history: this device’s storage refused it (it may be full). Note
            it down if you need it later.
          </p>
        )}
      </div>
      <p className="visually-hidden" aria-live="polite" data-testid="result-announcement">
        {state.interpretation &&
          (stale
            ? 'The result is out of date: the form has changed. Press Compute for a new one.'
            : `Result: ${state.interpretation.display}, ${state.interpretation.category}.`)}
      </p>
      {state.transcript && (
        <TranscriptPanel transcript={state.transcript} decrypted={state.interpretation?.technical} />
      )}
    </>
  );
}

/** The draft with values confirmed from a health record in place of what was there. */
function draftWith(draft: Draft, values: RecordValues): Draft {
  const numbers = { ...draft.numbers };
  const flags = { ...draft.flags };
  const choices = { ...draft.choices };
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'boolean') flags[name] = value;
    else if (typeof value === 'string') choices[name] = value;
    else if (!Array.isArray(value) && 'unit' in value)
      numbers[name] = { text: String(value.value), unit: value.unit };
  }
  return { ...draft, numbers, flags, choices };
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
    case 'date':
      return (
        <DateField
          field={field}
          ids={ids}
          value={draft.dates[field.name] ?? ''}
          error={error}
          onChange={(value) => onDraftChange((d) => ({ ...d, dates: { ...d.dates, [field.name]: value } }))}
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
          days={
            field.datedBy === undefined
              ? undefined
              : readingDays(draft.dates[field.datedBy], draft.series[field.name]?.length ?? 1)
          }
          error={error}
          invalidReadings={invalidReadings(computation, field, values, errors)}
          onChange={(texts) => onDraftChange((d) => ({ ...d, series: { ...d.series, [field.name]: texts } }))}
        />
      );
  }
}
