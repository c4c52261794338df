import { describe, expect, test } from 'vitest';
import { grantsCreate, launchScopes } from './scopes.js';

describe('launchScopes', () => {
  test('read scopes, and the write scopes only when write-back is configured', () => {
    expect(launchScopes('standalone', false)).toBe(
      'patient/Observation.rs patient/Patient.rs patient/Condition.rs openid fhirUser launch/patient',
    );
    expect(launchScopes('ehr', false)).toBe(
      'patient/Observation.rs patient/Patient.rs patient/Condition.rs openid fhirUser launch',
    );
    expect(launchScopes('standalone', true)).toBe(
      'patient/Observation.rs patient/Patient.rs patient/Condition.rs openid fhirUser ' +
        'patient/RiskAssessment.c patient/Observation.c launch/patient',
    );
    expect(launchScopes('ehr', true).split(' ')).toEqual(
      expect.arrayContaining(['patient/RiskAssessment.c', 'patient/Observation.c', 'launch']),
    );
  });
});

describe('grantsCreate', () => {
  test.each([
    'patient/RiskAssessment.c',
    'patient/RiskAssessment.cruds',
    'patient/RiskAssessment.cu',
    'user/RiskAssessment.c',
    'patient/*.c',
    'patient/*.cruds',
    'patient/RiskAssessment.write',
    'patient/*.write',
    'patient/*.*',
    'launch/patient openid patient/Observation.rs patient/RiskAssessment.c fhirUser',
  ])('%s allows creating a RiskAssessment', (granted) => {
    expect(grantsCreate(granted, 'RiskAssessment')).toBe(true);
  });

  test.each([
    undefined,
    '',
    'patient/RiskAssessment.rs',
    'patient/RiskAssessment.read',
    'patient/*.rs',
    'patient/Observation.c',
    'patient/RiskAssessmentX.c',
    'patient/Risk.c',
    // A constrained scope allows only what matches its query: not read as a general create.
    'patient/RiskAssessment.c?status=final',
    // Permissions out of v2's order are not a scope.
    'patient/RiskAssessment.rc',
    'system/RiskAssessment.c',
    'RiskAssessment.c',
    'patient/RiskAssessment.c-extra',
  ])('%s does not', (granted) => {
    expect(grantsCreate(granted, 'RiskAssessment')).toBe(false);
  });

  test('per resource type: Observation.c allows an Observation, not a RiskAssessment', () => {
    const granted = 'patient/Observation.rs patient/Observation.c';
    expect(grantsCreate(granted, 'Observation')).toBe(true);
    expect(grantsCreate(granted, 'RiskAssessment')).toBe(false);
  });
});
