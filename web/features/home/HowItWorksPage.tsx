/**
 * The technical account for those who want it: the encryption, the two groups and what each is used
 * for, what the service sees, private models, and what the key fingerprint is. The other pages say
 * the same in plain words and link here.
 */

import { useEffect, useState } from 'react';
import type { Computation } from '../../../shared/computations/computation.js';
import type { GroupName } from '../../../shared/groups/group.js';
import { useCatalog } from '../../app/catalog.js';
import { LOG_POLICY } from '../../transparency/policy.js';
import { findReleaseInLog, type ReleaseInLog } from '../../transparency/release-in-log.js';

/** The catalog's calculators computed in `group` (the service's models too). */
function titlesIn(computations: readonly Computation[], group: GroupName): string {
  return computations
    .filter((computation) => computation.group === group)
    .map((computation) => computation.title)
    .join(', ');
}

export function HowItWorksPage() {
  const { computations } = useCatalog();
  return (
    <>
      <p className="lead">
        The service computes on your values without being able to read them. This page says how, for anyone
        who wants to check.
      </p>
      <section className="panel" aria-labelledby="steps-heading">
        <h2 id="steps-heading">Four steps</h2>
        <ol className="steps">
          <li>Your values are turned into whole numbers in this browser (e.g. weight in tenths of a kg).</li>
          <li>
            Each number is encrypted with ElGamal under a public key this browser made; the private key that
            opens it never leaves the browser.
          </li>
          <li>
            The health service computes on the ciphertexts — multiplying or adding them, which ElGamal allows
            without opening them — and sends back ciphertexts, re-randomized so they reveal nothing either.
          </li>
          <li>This browser checks and decrypts the answer, and explains what it means.</li>
        </ol>
        <p>
          Every calculator page has a “What left this device” panel with the exact bytes sent and received.
        </p>
      </section>
      <section className="panel" aria-labelledby="groups-heading">
        <h2 id="groups-heading">Two kinds of key</h2>
        <p>Your keys come in two kinds, because some calculators multiply values and others add them up:</p>
        <dl className="key-facts">
          <dt>
            <code>ffdhe3072</code>
          </dt>
          <dd>
            For multiplying: the 3072-bit finite-field group of RFC 7919, with classic (multiplicative)
            ElGamal. Used by {titlesIn(computations, 'ffdhe3072')}.
          </dd>
          <dt>
            <code>ristretto255</code>
          </dt>
          <dd>
            For adding up: the elliptic-curve group of RFC 9496, with additive (“exponential”) ElGamal, which
            needs a short search to decrypt. Used by {titlesIn(computations, 'ristretto255')}.
          </dd>
        </dl>
        <p>
          A key’s fingerprint, shown at the top of every page, is the first 16 hex digits of SHA-256 over your
          public keys: the same fingerprint after a reload means the same keys.
        </p>
      </section>
      <section className="panel" aria-labelledby="sees-heading">
        <h2 id="sees-heading">What the service sees</h2>
        <p>
          A public key and one ciphertext per input, always the same number of them for a calculator (the
          readings summary always sends all 31 slots, empty ones as an encrypted 0), so not even how many
          readings you have leaks. It also sees which calculator you used, when, and from which network
          address.
        </p>
      </section>
      <section className="panel" aria-labelledby="private-heading">
        <h2 id="private-heading">Private models</h2>
        <p>
          Some services keep their formula — the model’s weights — to themselves. The Framingham calculator is
          one: the service multiplies your encrypted values by weights only it knows and adds them up. Your
          browser never learns the weights, and the service never learns your values; your browser only needs
          the public constants that turn the sum into a risk.
        </p>
      </section>
      <TransparencySection />
    </>
  );
}

/** Which release this app is, and whether it and the models are in the public log, checked here. */
function TransparencySection() {
  const [found, setFound] = useState<ReleaseInLog | undefined>();
  useEffect(() => {
    let current = true;
    void findReleaseInLog().then((result) => current && setFound(result));
    return () => {
      current = false;
    };
  }, []);
  const witnesses = LOG_POLICY
    ? LOG_POLICY.local
      ? `the ${LOG_POLICY.witnesses.length} local witnesses that run beside this service (a set-up for one machine: they are not independent)`
      : `${LOG_POLICY.quorum} of ${LOG_POLICY.witnesses.length} independent witnesses`
    : undefined;
  return (
    <section className="panel" aria-labelledby="log-heading">
      <h2 id="log-heading">One model for every patient, in public</h2>
      <p>
        Every model version the service serves and every release of this app are appended to a public,
        append-only log{witnesses ? `, whose checkpoints ${witnesses} cosign` : ''}. This app uses a model it
        does not ship only with a proof that exactly that version is in the log, and it refuses a log that
        went back or split. Anyone can check the whole log with <code>npm run log -- monitor</code>.
      </p>
      <p data-testid="release-in-log" role="status">
        {found === undefined
          ? 'Looking for this release in the log…'
          : found.status === 'logged'
            ? `This app is release ${found.release}: entry ${found.index} of the log, in a checkpoint of ${found.size} entries cosigned by ${found.cosignedBy.join(', ')}.`
            : `${found.release ? `This app is release ${found.release}, which` : 'This app'} is not in a witnessed checkpoint of the log: ${found.reason}.`}
      </p>
    </section>
  );
}
