/**
 * Saving one result to the connected health record: the history's FHIR export of the entry (the same
 * resource a "FHIR file" holds, its inputs contained), about the launch's patient, created on the
 * session's FHIR server with one POST that carries the access token in its Authorization header and
 * nowhere else. Called only after the patient clicked and confirmed; it writes nothing else.
 */

import type { Computation } from '../../../shared/computations/computation.js';
import { isRecord } from '../../../shared/records.js';
import type { HistoryEntry } from '../history/entry.js';
import { entryToFhir, type FhirExportOptions, type ResultResource } from '../history/fhir-export.js';

/** What a write needs of the session: where, for whom, and the header fhirclient builds from the token. */
export interface RecordConnection {
  readonly issuer: string;
  readonly patientId: string;
  readonly client: { getAuthorizationHeader(): string | null };
}

export interface SavedResource {
  /** `RiskAssessment/<id>` as the server named it (its body, else its Location), if it did. */
  readonly reference: string | undefined;
}

export class RecordWriteError extends Error {
  override readonly name = 'RecordWriteError';
}

const FHIR_JSON = 'application/fhir+json';
/** Enough of a server's explanation to act on; the rest of a long stack trace helps no patient. */
const MAX_DIAGNOSTICS = 400;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * The entry as the resource to create: the export's, about `Patient/<id>`, without the export's `id`
 * (a create's id is the server's to assign; several servers refuse one). Its `identifier`
 * (urn:uuid of the history entry) stays, so the record can tell a result saved twice.
 */
export function resourceForRecord(
  entry: HistoryEntry,
  computation: Computation | undefined,
  options: FhirExportOptions,
  patientId: string,
): ResultResource {
  const { id: _assignedByServer, ...resource } = entryToFhir(entry, computation, {
    ...options,
    subject: { reference: `Patient/${patientId}` },
  });
  return resource;
}

/** What the confirmation says will be written: the value as the resource holds it. */
export function writtenValue(resource: ResultResource): string {
  if (resource.resourceType === 'RiskAssessment') {
    const prediction = resource.prediction[0];
    if (prediction?.probabilityDecimal !== undefined) return `${prediction.probabilityDecimal} %`;
    return prediction?.rationale ?? prediction?.qualitativeRisk?.text ?? '';
  }
  if (resource.valueQuantity)
    return `${resource.valueQuantity.value}${resource.valueQuantity.unit ? ` ${resource.valueQuantity.unit}` : ''}`;
  return resource.valueString ?? '';
}

/** POSTs the resource to `<issuer>/<type>`; resolves with what the server created, or throws RecordWriteError. */
export async function saveToRecord(
  connection: RecordConnection,
  resource: ResultResource,
  fetchResource: typeof fetch = fetch,
): Promise<SavedResource> {
  // Nothing about anyone else, whatever built the resource.
  if (resource.subject?.reference !== `Patient/${connection.patientId}` || 'id' in resource)
    throw new RecordWriteError('This result is not ready to be saved to your record. Nothing was saved.');
  const authorization = connection.client.getAuthorizationHeader();
  if (!authorization)
    throw new RecordWriteError(
      'The connection to your health record has ended: connect again. Nothing was saved.',
    );
  let response: Response;
  try {
    response = await fetchResource(`${connection.issuer}/${resource.resourceType}`, {
      method: 'POST',
      headers: { authorization, 'content-type': FHIR_JSON, accept: FHIR_JSON },
      body: JSON.stringify(resource),
      credentials: 'omit',
      cache: 'no-store',
      // A token-bearing write is not sent on to wherever a redirect points.
      redirect: 'error',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new RecordWriteError(
      'The health record server could not be reached, or did not answer. The result may not have been saved: ' +
        'check your record before saving it again.',
    );
  }
  const body = await bodyOf(response);
  if (!response.ok) {
    const explanation = redacted(outcomeText(body), authorization);
    const said = explanation ? `: ${explanation}${/[.!?…]$/.test(explanation) ? '' : '.'}` : '.';
    // 401: the access token is no longer accepted (expired, revoked); only a new launch gives another.
    throw new RecordWriteError(
      response.status === 401
        ? `The health record server no longer accepts this connection (401)${said} Connect again. Nothing was saved.`
        : `The health record server refused to save it (${response.status})${said} Nothing was saved.`,
    );
  }
  return { reference: createdReference(resource.resourceType, body, response.headers.get('location')) };
}

async function bodyOf(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** An OperationOutcome's issues in words: their diagnostics, else their details' text. */
function outcomeText(body: unknown): string {
  if (!isRecord(body) || body.resourceType !== 'OperationOutcome' || !Array.isArray(body.issue)) return '';
  const said = body.issue.flatMap((issue: unknown) => {
    if (!isRecord(issue)) return [];
    if (typeof issue.diagnostics === 'string' && issue.diagnostics.trim() !== '')
      return [issue.diagnostics.trim()];
    const details = issue.details;
    return isRecord(details) && typeof details.text === 'string' && details.text.trim() !== ''
      ? [details.text.trim()]
      : [];
  });
  const text = said.join('; ');
  return text.length > MAX_DIAGNOSTICS ? `${text.slice(0, MAX_DIAGNOSTICS)}…` : text;
}

/** A server that echoes the request's header back must not put the token on the screen. */
function redacted(text: string, authorization: string): string {
  const token = authorization.replace(/^\S+\s+/, '');
  return token.length > 0 ? text.split(token).join('[access token]') : text;
}

function createdReference(type: string, body: unknown, location: string | null): string | undefined {
  if (isRecord(body) && body.resourceType === type && typeof body.id === 'string' && FHIR_ID.test(body.id))
    return `${type}/${body.id}`;
  // Location: <base>/<type>/<id>/_history/<version>, absolute or relative.
  const match =
    location === null
      ? null
      : /(?:^|\/)([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(location);
  return match?.[1] === type ? `${type}/${match[2]}` : undefined;
}
