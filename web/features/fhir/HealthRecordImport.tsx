/**
 * "Fill from a health record": the patient picks a FHIR file (a Bundle as a portal or a phone exports
 * it, or one resource); it is read here, in the browser, and what it proposes for each field is shown
 * with its date and source before anything is filled. The file and its proposals live in this
 * component's state only; the form keeps what the patient confirms (ComputationPage holds it back
 * from the remembered draft until they compute).
 */

import { type ChangeEvent, useId, useRef, useState } from 'react';
import type { Computation, FieldValue } from '../../../shared/computations/computation.js';
import type { FieldProposal } from '../../../shared/fhir/propose.js';
import { HealthRecordError } from '../../../shared/fhir/record.js';
import { SmartConnect } from '../smart/SmartConnect.js';
import './record-import.css';

export type RecordValues = Readonly<Record<string, FieldValue>>;

type Stage =
  | { readonly kind: 'idle'; readonly filled?: number }
  | { readonly kind: 'reading' }
  | { readonly kind: 'refused'; readonly title: string; readonly message: string }
  | { readonly kind: 'review'; readonly proposals: readonly FieldProposal[] };

export function hasRecordCodes(computation: Computation): boolean {
  return computation.fields.some((f) => f.kind !== 'series' && f.kind !== 'date' && f.codes !== undefined);
}

export function HealthRecordImport({
  computation,
  onFill,
}: {
  computation: Computation;
  onFill(values: RecordValues): void;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());

  async function read(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    // The same file chosen again must be read again.
    event.target.value = '';
    if (!file) return;
    await review('file', async () => {
      const [text, { proposalsOfFile }] = await Promise.all([file.text(), import('./read-record.js')]);
      return proposalsOfFile(text, computation.fields, new Date());
    });
  }

  /** A file's proposals or a connected record's: the same review, the same refusals. */
  async function review(source: 'file' | 'record', load: () => Promise<readonly FieldProposal[]>) {
    const what = source === 'file' ? 'The file' : 'Your health record';
    const title =
      source === 'file' ? 'This file cannot fill the form' : 'Your health record cannot fill the form';
    setStage({ kind: 'reading' });
    try {
      const proposals = await load();
      if (!proposals.some((p) => p.value !== undefined)) {
        setStage({
          kind: 'refused',
          title,
          message: `${what} holds nothing this calculator uses. Nothing was filled.`,
        });
        return;
      }
      setChosen(new Set(proposals.flatMap((p) => (p.value === undefined ? [] : [p.field]))));
      setStage({ kind: 'review', proposals });
    } catch (error) {
      const message =
        error instanceof HealthRecordError
          ? `${error.message} Nothing was filled.`
          : `${what} could not be read. Nothing was filled.`;
      setStage({ kind: 'refused', title, message });
    }
  }

  function fill(proposals: readonly FieldProposal[]) {
    const values: Record<string, FieldValue> = {};
    for (const p of proposals) if (p.value !== undefined && chosen.has(p.field)) values[p.field] = p.value;
    onFill(values);
    setStage({ kind: 'idle', filled: Object.keys(values).length });
  }

  function toggle(field: string, on: boolean) {
    setChosen((set) => {
      const next = new Set(set);
      if (on) next.add(field);
      else next.delete(field);
      return next;
    });
  }

  return (
    <section className="record-import" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        Values from your health record
      </h2>
      <SmartConnect
        fields={computation.fields}
        disabled={stage.kind === 'reading'}
        onRead={(load) => void review('record', load)}
      />
      <div className="record-choose">
        <label htmlFor={`${id}-file`}>Fill from a health record</label>
        <input
          ref={input}
          id={`${id}-file`}
          type="file"
          accept=".json,application/json,application/fhir+json"
          aria-describedby={`${id}-help`}
          disabled={stage.kind === 'reading'}
          onChange={(event) => void read(event)}
        />
        <p id={`${id}-help`} className="field-help">
          A FHIR file (JSON) from your patient portal or phone. It is read on this device and never sent; you
          see every value before it fills the form.
        </p>
      </div>
      {stage.kind === 'refused' && (
        <div className="alert" role="alert">
          <p className="alert-title">{stage.title}</p>
          <p>{stage.message}</p>
        </div>
      )}
      <div role="status" className="field-status">
        {stage.kind === 'reading' && <p>Reading the record…</p>}
        {stage.kind === 'idle' && stage.filled !== undefined && (
          <p className="record-filled">
            {stage.filled === 0
              ? 'Nothing was filled.'
              : `Filled ${stage.filled} value${stage.filled === 1 ? '' : 's'} from the health record: check the form, then press Compute.`}
          </p>
        )}
      </div>
      {stage.kind === 'review' && (
        <section className="record-review" aria-labelledby={`${id}-review`}>
          <h3 id={`${id}-review`}>What your health record gives</h3>
          <p className="field-help">
            Tick what should fill the form. Nothing of the record is kept on this device unless you compute.
          </p>
          <ul className="record-proposals">
            {stage.proposals.map((p) => (
              <ProposalRow
                key={p.field}
                id={`${id}-${p.field}`}
                proposal={p}
                checked={chosen.has(p.field)}
                onChange={(on) => toggle(p.field, on)}
              />
            ))}
          </ul>
          <div className="form-actions">
            <button type="button" onClick={() => fill(stage.proposals)}>
              Fill the form
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setStage({ kind: 'idle' });
                input.current?.focus();
              }}
            >
              Cancel
            </button>
          </div>
        </section>
      )}
    </section>
  );
}

function ProposalRow(props: {
  id: string;
  proposal: FieldProposal;
  checked: boolean;
  onChange(on: boolean): void;
}) {
  const { id, proposal: p, checked, onChange } = props;
  const described = [p.source && `${id}-source`, p.stale && `${id}-stale`, p.note && `${id}-note`]
    .filter(Boolean)
    .join(' ');
  return (
    <li className={p.stale ? 'record-proposal stale' : 'record-proposal'}>
      <div className="record-value">
        <input
          id={id}
          type="checkbox"
          checked={p.value !== undefined && checked}
          disabled={p.value === undefined}
          aria-describedby={described || undefined}
          onChange={(event) => onChange(event.target.checked)}
        />
        <label htmlFor={id}>
          {p.label}: <strong>{p.shown ?? 'not filled'}</strong>
        </label>
      </div>
      {p.source && (
        <p id={`${id}-source`} className="record-source">
          {p.source.what}
          {p.source.date ? `, ${p.source.date.slice(0, 10)}` : ''}: {p.source.recorded}{' '}
          <span className="record-resource">({p.source.resource})</span>
        </p>
      )}
      {p.stale && (
        <p id={`${id}-stale`} className="field-warning">
          Old value: {p.stale}
        </p>
      )}
      {p.note && (
        <p id={`${id}-note`} className="field-help">
          {p.note}
        </p>
      )}
    </li>
  );
}
