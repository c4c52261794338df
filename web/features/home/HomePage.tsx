/** The start page: what the app does for a patient, in plain words, and the calculators to choose from. */

import { COMPUTATIONS } from '../../../shared/computations/catalog.js';
import { computationPath, followLink, HOW_IT_WORKS_PATH } from '../../app/navigation.js';

export function HomePage() {
  return (
    <>
      <p className="lead">
        Work out a health score without telling anyone your values. What you type stays on this device: it is
        locked with a key only this browser holds before it is sent, the health service works on the locked
        numbers, and only this browser can open the answer.
      </p>
      <h2 className="section-heading">Choose a calculator</h2>
      <ul className="calculator-list">
        {COMPUTATIONS.map((computation) => (
          <li key={computation.id}>
            <a href={computationPath(computation)} onClick={followLink}>
              {computation.title}
            </a>
            <p>{computation.description}</p>
          </li>
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
