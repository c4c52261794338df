/** What Sealed Vitals does, in four steps; the computations themselves are in the navigation. */
export function HomePage() {
  return (
    <>
      <p className="lead">
        Compute a health score without telling the service your values. Everything you type stays in this
        browser; the service computes on encrypted numbers and never sees a key that could open them.
      </p>
      <ol className="steps">
        <li>Your values are turned into whole numbers in this browser.</li>
        <li>They are encrypted with a key only this browser holds (ElGamal).</li>
        <li>The health service computes on the ciphertexts and sends back ciphertexts.</li>
        <li>This browser checks and decrypts the answer, and explains what it means.</li>
      </ol>
      <p>Choose a computation above to start. Each page shows exactly what left your device.</p>
    </>
  );
}
