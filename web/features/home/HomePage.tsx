/**
 * The start page: what the app does for a patient, in plain words, and the catalog to choose from,
 * searchable: a card per calculator with what it needs, where it comes from, and whether the
 * service keeps its formula to itself. Works the same with five calculators or fifty.
 */

import { useId, useState } from 'react';
import type { Computation } from '../../../shared/computations/computation.js';
import type { Catalog } from '../../app/catalog.js';
import { computationPath, followLink, HOW_IT_WORKS_PATH } from '../../app/navigation.js';

/** What the patient is asked for, in the form's words. */
function needs(computation: Computation): string {
  return computation.fields.map((f) => f.label).join(', ');
}

function searchText(computation: Computation): string {
  return [computation.title, computation.description, needs(computation), computation.model?.citation ?? '']
    .join(' ')
    .toLowerCase();
}

function matches(computation: Computation, query: string): boolean {
  const text = searchText(computation);
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '')
    .every((word) => text.includes(word));
}

function CatalogCard({ computation }: { computation: Computation }) {
  const privateModel = computation.evaluation.kind === 'private-linear';
  return (
    <li className="catalog-card">
      <h3>
        <a href={computationPath(computation)} onClick={followLink}>
          {computation.title}
        </a>
      </h3>
      <p>{computation.description}</p>
      <p className="catalog-needs">
        <span className="catalog-label">Needs:</span> {needs(computation)}
      </p>
      {computation.model && <p className="catalog-citation">{computation.model.citation}</p>}
      <p className={`catalog-badge ${privateModel ? 'catalog-badge-private' : ''}`}>
        {privateModel
          ? 'The service keeps this model private; every answer is proved against its commitment.'
          : 'Published formula; every answer is proved against it.'}
      </p>
    </li>
  );
}

export function HomePage({ catalog }: { catalog: Catalog }) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const shown = catalog.computations.filter((c) => matches(c, query));
  return (
    <>
      <p className="lead">
        Work out a health score without telling anyone your values. What you type stays on this device: it is
        locked with a key only this browser holds before it is sent, the health service works on the locked
        numbers, and only this browser can open the answer.
      </p>
      <h2 className="section-heading">Choose a calculator</h2>
      <div className="catalog-search">
        <label htmlFor={searchId}>Search the calculators</label>
        <input
          id={searchId}
          type="search"
          value={query}
          placeholder="e.g. kidney, cholesterol, stroke"
          onChange={(event) => setQuery(event.target.value)}
        />
        <p className="catalog-count" aria-live="polite">
          {query === ''
            ? `${catalog.computations.length} calculators`
            : `${shown.length} of ${catalog.computations.length} calculators match`}
        </p>
      </div>
      <ul className="catalog-list">
        {shown.map((computation) => (
          <CatalogCard key={computation.id} computation={computation} />
        ))}
      </ul>
      <p>
        Every result is kept in your history on this device, to print or export for your doctor.{' '}
        <a href={HOW_IT_WORKS_PATH} onClick={followLink}>
          How it works
        </a>{' '}
        explains what is sent and why the service cannot read it.
      </p>
    </>
  );
}
