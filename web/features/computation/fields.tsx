/** One form control per kind of catalog field, each labelled and tied to its help and error text. */

import type { Field } from '../../../shared/computations/computation.js';

type FieldOf<K extends Field['kind']> = Extract<Field, { kind: K }>;

interface ControlIds {
  /** The control to focus when the field is invalid. */
  readonly control: string;
  readonly help: string;
  readonly error: string;
}

export function controlIds(formId: string, field: Field): ControlIds {
  const base = `${formId}-${field.name}`;
  const control = field.kind === 'choice' ? `${base}-${field.options[0]?.value ?? ''}` : base;
  return { control, help: `${base}-help`, error: `${base}-error` };
}

/** `aria-describedby` for the help and error lines that are shown. */
function describedBy(ids: ControlIds, help: string | undefined, error: string | undefined) {
  const described = [help && ids.help, error && ids.error].filter(Boolean).join(' ');
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

export function NumberField(props: {
  field: FieldOf<'number'>;
  ids: ControlIds;
  text: string;
  unit: string;
  error: string | undefined;
  onChange(next: { text: string; unit: string }): void;
}) {
  const { field, ids, text, unit, error, onChange } = props;
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
          aria-describedby={describedBy(ids, field.help, error)}
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
    </div>
  );
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
