/** One form control per kind of catalog field, each labelled and tied to its help and error text. */

import { useEffect, useRef } from 'react';
import type { Field, SeriesBounds } from '../../../shared/computations/computation.js';
import { today } from './draft.js';

type FieldOf<K extends Field['kind']> = Extract<Field, { kind: K }>;

interface ControlIds {
  /** The control to focus when the field is invalid. */
  readonly control: string;
  readonly help: string;
  readonly error: string;
  readonly warning: string;
}

export function controlIds(formId: string, field: Field): ControlIds {
  const base = `${formId}-${field.name}`;
  const control =
    field.kind === 'choice'
      ? `${base}-${field.options[0]?.value ?? ''}`
      : field.kind === 'series'
        ? readingId(formId, field, 0)
        : base;
  return { control, help: `${base}-help`, error: `${base}-error`, warning: `${base}-warning` };
}

/** The input of a series' reading at `index` (0-based; labelled "Reading index + 1"). */
export function readingId(formId: string, field: Field, index: number): string {
  return `${formId}-${field.name}-${index + 1}`;
}

/** `aria-describedby` for the help, error and warning lines that are shown. */
function describedBy(ids: ControlIds, help: string | undefined, error: string | undefined, warning?: string) {
  const described = [help && ids.help, error && ids.error, warning && ids.warning].filter(Boolean).join(' ');
  return described || undefined;
}

function FieldNotes({
  ids,
  help,
  error,
}: {
  ids: ControlIds;
  help: string | undefined;
  error: string | undefined;
}) {
  return (
    <>
      {help && (
        <p id={ids.help} className="field-help">
          {help}
        </p>
      )}
      {error && (
        <p id={ids.error} className="field-error">
          {error}
        </p>
      )}
    </>
  );
}

/**
 * A value the model was not fitted on. The status region is always present so that a screen reader
 * announces the warning when it appears; it never blocks computing.
 */
function FieldWarning({ ids, warning }: { ids: ControlIds; warning: string | undefined }) {
  return (
    <div role="status" className="field-status">
      {warning && (
        <p id={ids.warning} className="field-warning">
          {warning}
        </p>
      )}
    </div>
  );
}

export function NumberField(props: {
  field: FieldOf<'number'>;
  ids: ControlIds;
  text: string;
  unit: string;
  error: string | undefined;
  warning: string | undefined;
  onChange(next: { text: string; unit: string }): void;
}) {
  const { field, ids, text, unit, error, warning, onChange } = props;
  const [onlyUnit] = field.units;
  return (
    <div className="field">
      <label htmlFor={ids.control}>{field.label}</label>
      <div className="quantity">
        <input
          id={ids.control}
          name={field.name}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={text}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(ids, field.help, error, warning)}
          onChange={(event) => onChange({ text: event.target.value, unit })}
        />
        {field.units.length > 1 ? (
          <select
            aria-label={`${field.label} unit`}
            value={unit}
            onChange={(event) => onChange({ text, unit: event.target.value })}
          >
            {field.units.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </select>
        ) : (
          <span className="unit">{onlyUnit.label}</span>
        )}
      </div>
      <FieldNotes ids={ids} help={field.help} error={error} />
      <FieldWarning ids={ids} warning={warning} />
    </div>
  );
}

/** A calendar day, up to today; the browser's own date control, so it reads in the patient's locale. */
export function DateField(props: {
  field: FieldOf<'date'>;
  ids: ControlIds;
  value: string;
  error: string | undefined;
  onChange(value: string): void;
}) {
  const { field, ids, value, error, onChange } = props;
  return (
    <div className="field">
      <label htmlFor={ids.control}>{field.label}</label>
      <input
        id={ids.control}
        name={field.name}
        type="date"
        max={today()}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(ids, field.help, error)}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldNotes ids={ids} help={field.help} error={error} />
    </div>
  );
}

const readingDay = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/**
 * Each of `count` readings' day, shown next to it ("Mon 2 Mar"): one a day, the last on `last`;
 * undefined without a date.
 */
export function readingDays(
  last: string | undefined,
  count: number,
): ((index: number) => string) | undefined {
  const match = last === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})$/.exec(last);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  return (index) => readingDay.format(new Date(year, month, day - (count - 1 - index)));
}

export function BooleanField(props: {
  field: FieldOf<'boolean'>;
  ids: ControlIds;
  checked: boolean;
  error: string | undefined;
  onChange(checked: boolean): void;
}) {
  const { field, ids, checked, error, onChange } = props;
  return (
    <div className="field field-check">
      <input
        id={ids.control}
        name={field.name}
        type="checkbox"
        checked={checked}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(ids, field.help, error)}
        onChange={(event) => onChange(event.target.checked)}
      />
      <label htmlFor={ids.control}>{field.label}</label>
      <FieldNotes ids={ids} help={field.help} error={error} />
    </div>
  );
}

export function ChoiceField(props: {
  field: FieldOf<'choice'>;
  formId: string;
  ids: ControlIds;
  selected: string | undefined;
  error: string | undefined;
  onChange(value: string): void;
}) {
  const { field, formId, ids, selected, error, onChange } = props;
  return (
    <fieldset
      className="field field-choice"
      aria-invalid={error ? true : undefined}
      aria-describedby={describedBy(ids, undefined, error)}
    >
      <legend>{field.label}</legend>
      <div className="choices">
        {field.options.map((option) => {
          const id = `${formId}-${field.name}-${option.value}`;
          return (
            <span key={option.value} className="choice">
              <input
                id={id}
                type="radio"
                name={field.name}
                value={option.value}
                checked={selected === option.value}
                onChange={() => onChange(option.value)}
              />
              <label htmlFor={id}>{option.label}</label>
            </span>
          );
        })}
      </div>
      <FieldNotes ids={ids} help={undefined} error={error} />
    </fieldset>
  );
}

/**
 * A list of readings: add one, remove one, up to `maxItems`. Bounds and unit follow the choice that
 * selects them (e.g. the measure). Focus follows the list, so it is usable from the keyboard alone.
 */
export function SeriesField(props: {
  field: FieldOf<'series'>;
  formId: string;
  ids: ControlIds;
  bounds: SeriesBounds | undefined;
  texts: readonly string[];
  /** Each reading's day, when the series is dated. */
  days: ((index: number) => string) | undefined;
  error: string | undefined;
  /** Positions of the readings the error is about. */
  invalidReadings: ReadonlySet<number>;
  onChange(texts: readonly string[]): void;
}) {
  const { field, formId, ids, bounds, texts, days, error, invalidReadings, onChange } = props;
  // After adding or removing, the reading to focus (the new one, or the one that took the removed one's
  // place), kept until a render shows the edited list. An earlier render's effect can run after the click
  // (React flushes pending effects before the click's update), and it must not use up the request.
  const focusAfterEdit = useRef<{ index: number; count: number } | undefined>(undefined);
  useEffect(() => {
    const pending = focusAfterEdit.current;
    if (pending === undefined || pending.count !== texts.length) return;
    focusAfterEdit.current = undefined;
    document.getElementById(readingId(formId, field, pending.index))?.focus();
  });

  const full = texts.length >= field.maxItems;
  const decimal = (bounds?.step ?? 1) < 1;
  const help = [
    bounds
      ? `${decimal ? 'Numbers with up to one decimal' : 'Whole numbers'} from ${bounds.min} to ${bounds.max} ` +
        `${bounds.unit}, one a day, up to ${field.maxItems}.`
      : `Choose what the ${field.label.toLowerCase()} are of first; up to ${field.maxItems}.`,
    field.help,
  ]
    .filter(Boolean)
    .join(' ');

  function edit(next: readonly string[], focusIndex: number) {
    focusAfterEdit.current = { index: focusIndex, count: next.length };
    onChange(next);
  }

  return (
    <fieldset
      className="field field-series"
      aria-invalid={error ? true : undefined}
      aria-describedby={describedBy(ids, help, error)}
    >
      <legend>{bounds ? `${field.label} of ${bounds.label.toLowerCase()}` : field.label}</legend>
      <ol className="readings">
        {texts.map((text, index) => {
          const id = readingId(formId, field, index);
          const number = index + 1;
          return (
            // Readings have no identity beyond their position: removing one renumbers those after it.
            // biome-ignore lint/suspicious/noArrayIndexKey: the position is what a reading is labelled by.
            <li key={index} className="reading">
              <label htmlFor={id}>Reading {number}</label>
              {days && (
                <span id={`${id}-day`} className="reading-day">
                  {days(index)}
                </span>
              )}
              <input
                id={id}
                name={`${field.name}-${number}`}
                type="text"
                inputMode={decimal ? 'decimal' : 'numeric'}
                autoComplete="off"
                value={text}
                aria-invalid={invalidReadings.has(index) ? true : undefined}
                aria-describedby={
                  [days && `${id}-day`, invalidReadings.has(index) && ids.error].filter(Boolean).join(' ') ||
                  undefined
                }
                onChange={(event) => onChange(texts.map((t, i) => (i === index ? event.target.value : t)))}
              />
              {bounds && <span className="unit">{bounds.unit}</span>}
              {texts.length > 1 && (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Remove reading ${number}`}
                  onClick={() =>
                    edit(
                      texts.filter((_, i) => i !== index),
                      Math.min(index, texts.length - 2),
                    )
                  }
                >
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <div className="series-actions">
        <button
          type="button"
          className="secondary"
          disabled={full}
          onClick={() => edit([...texts, ''], texts.length)}
        >
          Add a reading
        </button>
        <span role="status" className="series-count">
          {texts.length} of {field.maxItems} readings
        </span>
      </div>
      <FieldNotes ids={ids} help={help} error={error} />
    </fieldset>
  );
}
