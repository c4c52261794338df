import { beforeAll, describe, expect, test } from 'vitest';
import { loadServedCatalog } from '../../../server/served-catalog.js';
import { COMPUTATIONS } from '../../../shared/computations/catalog.js';
import type { Computation, FormValues } from '../../../shared/computations/computation.js';
import { entryToFhir, type RiskAssessment } from '../history/fhir-export.js';
import {
  computedEntry,
  type FhirValidator,
  fhirR4Validator,
  SCHEMA_COMPILE_TIMEOUT_MS,
} from '../history/test-support.js';
import { type RecordConnection, resourceForRecord, saveToRecord, writtenValue } from './write-back.js';

const OPTIONS = { catalogUrl: 'https://vitals.example.org/api/v2/computations' };
const ISSUER = 'https://fhir.example.org/r4';
const TOKEN = 'tok-3f9a1c7e5b2d';
const ENTRY_ID = '0b7c1f4e-2a9d-4c3b-8e6f-000000000001';

function computationNamed(id: string): Computation {
  const computation = COMPUTATIONS.find((c) => c.id === id) ?? loadServedCatalog().get(id)?.computation;
  if (!computation) throw new Error(`${id} is not known`);
  return computation;
}

const FRAMINGHAM: FormValues = {
  sex: 'female',
  age: { value: 61, unit: 'years' },
  totalCholesterol: { value: 180, unit: 'mg/dL' },
  hdl: { value: 47, unit: 'mg/dL' },
  sbp: { value: 124, unit: 'mmHg' },
  treated: false,
  smoker: true,
  diabetes: false,
};

function framinghamForRecord(patientId = 'p-123'): RiskAssessment {
  const framingham = computationNamed('framingham-2008');
  return resourceForRecord(
    computedEntry(framingham, FRAMINGHAM, ENTRY_ID),
    framingham,
    OPTIONS,
    patientId,
  ) as RiskAssessment;
}

function connection(authorization: string | null = `Bearer ${TOKEN}`): RecordConnection {
  return { issuer: ISSUER, patientId: 'p-123', client: { getAuthorizationHeader: () => authorization } };
}

interface Sent {
  readonly url: string;
  readonly init: RequestInit;
}

/** A fetch that records what it was asked and answers `response`. */
function fetchAnswering(response: () => Response): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      sent.push({ url: String(input), init: init ?? {} });
      return response();
    },
  };
}

const FHIR_JSON = { 'content-type': 'application/fhir+json' };

let validate: FhirValidator;
beforeAll(() => {
  validate = fhirR4Validator();
}, SCHEMA_COMPILE_TIMEOUT_MS);

describe('resourceForRecord', () => {
  test('the export’s resource, about Patient/<id>, without an id for the server to assign; valid R4', () => {
    const framingham = computationNamed('framingham-2008');
    const entry = computedEntry(framingham, FRAMINGHAM, ENTRY_ID);
    const resource = framinghamForRecord();
    expect(validate(resource)).toEqual([]);
    expect('id' in resource).toBe(false);
    expect(resource.subject).toEqual({ reference: 'Patient/p-123' });
    expect(resource.identifier).toEqual([{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${ENTRY_ID}` }]);
    // Apart from id and subject, exactly what a FHIR file of the entry holds: inputs contained.
    const { id: _, subject: __, ...file } = entryToFhir(entry, framingham, OPTIONS);
    const { subject: ___, ...written } = resource;
    expect(written).toEqual(file);
    expect(resource.basis.every((b) => b.reference?.startsWith('#input-'))).toBe(true);
    expect(resource.contained.filter((r) => r.resourceType === 'Observation')).toHaveLength(8);
  });
});

describe('writtenValue', () => {
  test('what the confirmation names: the probability, the score, the measure with its unit', () => {
    expect(writtenValue(framinghamForRecord())).toBe('10.5 %');
    const bmi = computationNamed('bmi');
    const bmiEntry = computedEntry(
      bmi,
      { weight: { value: 83.7, unit: 'kg' }, height: { value: 176.4, unit: 'cm' } },
      ENTRY_ID,
    );
    expect(writtenValue(resourceForRecord(bmiEntry, bmi, OPTIONS, 'p'))).toBe('26.9 kg/m²');
  });
});

describe('saveToRecord', () => {
  test('one POST to <issuer>/<type>, the token in the Authorization header only; the created id', async () => {
    const resource = framinghamForRecord();
    const server = fetchAnswering(
      () =>
        new Response(JSON.stringify({ ...resource, id: 'ra-1', meta: { versionId: '1' } }), {
          status: 201,
          headers: { ...FHIR_JSON, location: `${ISSUER}/RiskAssessment/ra-1/_history/1` },
        }),
    );
    expect(await saveToRecord(connection(), resource, server.fetch)).toEqual({
      reference: 'RiskAssessment/ra-1',
    });
    expect(server.sent).toHaveLength(1);
    const [sent] = server.sent;
    expect(sent?.url).toBe(`${ISSUER}/RiskAssessment`);
    expect(sent?.init.method).toBe('POST');
    expect(sent?.init.headers).toEqual({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/fhir+json',
      accept: 'application/fhir+json',
    });
    expect(sent?.init.credentials).toBe('omit');
    expect(sent?.init.redirect).toBe('error');
    expect(JSON.parse(String(sent?.init.body))).toEqual(resource);
    expect(String(sent?.init.body)).not.toContain(TOKEN);
    expect(sent?.url).not.toContain(TOKEN);
  });

  test('a server that answers without a body: the id from its Location', async () => {
    const server = fetchAnswering(
      () => new Response(null, { status: 201, headers: { location: 'RiskAssessment/77/_history/3' } }),
    );
    expect(await saveToRecord(connection(), framinghamForRecord(), server.fetch)).toEqual({
      reference: 'RiskAssessment/77',
    });
    const bare = fetchAnswering(() => new Response(null, { status: 201 }));
    expect(await saveToRecord(connection(), framinghamForRecord(), bare.fetch)).toEqual({
      reference: undefined,
    });
  });

  test('a refusal: the OperationOutcome’s diagnostics, with any echo of the token taken out', async () => {
    const server = fetchAnswering(
      () =>
        new Response(
          JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'error',
                code: 'forbidden',
                diagnostics: `Token ${TOKEN} may not write Patient/other`,
              },
              { severity: 'error', code: 'invalid', details: { text: 'subject is required' } },
            ],
          }),
          { status: 403, headers: FHIR_JSON },
        ),
    );
    const failure = saveToRecord(connection(), framinghamForRecord(), server.fetch);
    await expect(failure).rejects.toThrow(
      'The health record server refused to save it (403): Token [access token] may not write Patient/other; ' +
        'subject is required. Nothing was saved.',
    );
    await expect(failure).rejects.toMatchObject({ name: 'RecordWriteError' });
  });

  test('a refusal without an OperationOutcome: its status', async () => {
    const server = fetchAnswering(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(saveToRecord(connection(), framinghamForRecord(), server.fetch)).rejects.toThrow(
      'The health record server refused to save it (502). Nothing was saved.',
    );
  });

  test('an access the server no longer accepts: connect again', async () => {
    const server = fetchAnswering(
      () =>
        new Response(
          JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }),
          {
            status: 401,
            headers: FHIR_JSON,
          },
        ),
    );
    await expect(saveToRecord(connection(), framinghamForRecord(), server.fetch)).rejects.toThrow(
      'The health record server no longer accepts this connection (401). Connect again. Nothing was saved.',
    );
  });

  test('no answer: it may or may not have been saved, and the patient is told so', async () => {
    const unreachable: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(saveToRecord(connection(), framinghamForRecord(), unreachable)).rejects.toThrow(
      /may not have been saved: check your record before saving it again/,
    );
  });

  test('nothing is sent for another patient, with an id, or without a token', async () => {
    const server = fetchAnswering(() => new Response(null, { status: 201 }));
    await expect(saveToRecord(connection(), framinghamForRecord('other'), server.fetch)).rejects.toThrow(
      'not ready to be saved',
    );
    await expect(
      saveToRecord(connection(), { ...framinghamForRecord(), id: 'x' }, server.fetch),
    ).rejects.toThrow('not ready to be saved');
    await expect(saveToRecord(connection(null), framinghamForRecord(), server.fetch)).rejects.toThrow(
      'connect again',
    );
    expect(server.sent).toEqual([]);
  });
});
