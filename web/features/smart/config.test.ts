import { describe, expect, test } from 'vitest';
import { allowedIssuer, parseSmartConfig } from './config.js';

describe('parseSmartConfig', () => {
  test('no issuers: no SMART in this build', () => {
    expect(parseSmartConfig({})).toBeUndefined();
    expect(parseSmartConfig({ VITE_SMART_CLIENT_ID: 'app', VITE_SMART_ISSUERS: ' ' })).toBeUndefined();
  });

  test('issuers without their trailing slash; connect origins are the issuers’ and the listed authorization servers’', () => {
    const config = parseSmartConfig({
      VITE_SMART_CLIENT_ID: 'app',
      VITE_SMART_ISSUERS:
        'https://fhir.example.org/r4/, https://ehr.example.com/api/FHIR/R4 http://127.0.0.1:8080/fhir',
      VITE_SMART_AUTH_ORIGINS: 'https://login.example.org',
    });
    expect(config).toEqual({
      clientId: 'app',
      issuers: [
        'https://fhir.example.org/r4',
        'https://ehr.example.com/api/FHIR/R4',
        'http://127.0.0.1:8080/fhir',
      ],
      connectOrigins: [
        'https://fhir.example.org',
        'https://ehr.example.com',
        'http://127.0.0.1:8080',
        'https://login.example.org',
      ],
      write: false,
    });
  });

  test('VITE_SMART_WRITE=1 asks for write access; unset, empty or 0 does not', () => {
    const base = { VITE_SMART_CLIENT_ID: 'app', VITE_SMART_ISSUERS: 'https://fhir.example.org/r4' };
    expect(parseSmartConfig({ ...base, VITE_SMART_WRITE: '1' })?.write).toBe(true);
    for (const flag of [undefined, '', '0', ' 0 '])
      expect(parseSmartConfig({ ...base, VITE_SMART_WRITE: flag })?.write).toBe(false);
  });

  test.each([
    [{ VITE_SMART_ISSUERS: 'https://fhir.example.org' }, 'VITE_SMART_CLIENT_ID is not'],
    [{ VITE_SMART_CLIENT_ID: 'a', VITE_SMART_ISSUERS: 'fhir.example.org' }, 'not an absolute URL'],
    [{ VITE_SMART_CLIENT_ID: 'a', VITE_SMART_ISSUERS: 'http://fhir.example.org/r4' }, 'must be https'],
    [{ VITE_SMART_CLIENT_ID: 'a', VITE_SMART_ISSUERS: 'https://u:p@fhir.example.org' }, 'credentials'],
    [{ VITE_SMART_CLIENT_ID: 'a', VITE_SMART_ISSUERS: 'https://fhir.example.org/?x=1' }, 'query'],
    [
      {
        VITE_SMART_CLIENT_ID: 'a',
        VITE_SMART_ISSUERS: 'https://f.example',
        VITE_SMART_AUTH_ORIGINS: 'https://a.example/x',
      },
      'not an origin',
    ],
    [
      { VITE_SMART_CLIENT_ID: 'a', VITE_SMART_ISSUERS: 'https://f.example', VITE_SMART_WRITE: 'yes' },
      'VITE_SMART_WRITE must be 1',
    ],
    [
      { VITE_SMART_CLIENT_ID: 'a', VITE_SMART_ISSUERS: 'https://f.example', VITE_SMART_WRITE: 'true' },
      'VITE_SMART_WRITE must be 1',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => parseSmartConfig(env)).toThrow(message);
  });
});

describe('allowedIssuer', () => {
  const config = parseSmartConfig({
    VITE_SMART_CLIENT_ID: 'a',
    VITE_SMART_ISSUERS: 'https://fhir.example.org/r4',
  });
  if (!config) throw new Error('configured');

  test('exactly a configured issuer, a trailing slash aside', () => {
    expect(allowedIssuer(config, 'https://fhir.example.org/r4/')).toBe('https://fhir.example.org/r4');
    expect(allowedIssuer(config, 'https://fhir.example.org/r4')).toBe('https://fhir.example.org/r4');
  });

  test.each([
    'https://fhir.example.org/r4/../evil',
    'https://fhir.example.org/r4x',
    'https://fhir.example.org',
    'https://fhir.example.org.evil.example/r4',
    'http://fhir.example.org/r4',
    'HTTPS://FHIR.EXAMPLE.ORG/r4',
  ])('refuses %s', (iss) => {
    expect(allowedIssuer(config, iss)).toBeUndefined();
  });
});
