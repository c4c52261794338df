import type { Interpretation } from '../../../shared/computations/computation.js';

export function ResultCard({ interpretation }: { interpretation: Interpretation }) {
  return (
    <section className={`result result-${interpretation.severity}`} aria-labelledby="result-heading">
      <h2 id="result-heading">Result</h2>
      <p className="result-value" data-testid="result-value">
        {interpretation.display}
      </p>
      <p className="result-category" data-testid="result-category">
        {interpretation.category}
      </p>
      <p className="result-explanation">{interpretation.explanation}</p>
      <p className="result-note">Decrypted in this browser with your private key.</p>
    </section>
  );
}
