/**
 * The scopes a launch asks for, and what the scopes a server granted allow (SMART App Launch 2.x,
 * "Scopes and launch context"; 1.0's `.read`/`.write` forms too, since servers still grant them).
 * Pure: the launch asks with these, and the history reads a session's granted scopes with them.
 */

/** Read access to what the calculators use, and the identity claims of the launch. */
const READ_SCOPES = 'patient/Observation.rs patient/Patient.rs patient/Condition.rs openid fhirUser';

/**
 * Creating a result in the record, asked for only by a build set up for write-back: a RiskAssessment
 * (a risk model's result) or an Observation (a measure's), as the history's FHIR export makes them.
 * Create only: never update, delete or search beyond the reads above.
 */
export const WRITE_SCOPES = 'patient/RiskAssessment.c patient/Observation.c';

export type LaunchKind = 'standalone' | 'ehr';

export function launchScopes(kind: LaunchKind, write: boolean): string {
  return [
    READ_SCOPES,
    ...(write ? [WRITE_SCOPES] : []),
    kind === 'standalone' ? 'launch/patient' : 'launch',
  ].join(' ');
}

/**
 * `patient/` or `user/`, a resource type or `*`, and v2 permissions (a subset of `cruds` in that
 * order) or v1's `read`, `write`, `*`. A scope with v2 query constraints (`patient/Observation.cs?category=…`)
 * allows only resources that match it; it is not read as allowing a create here.
 */
const RESOURCE_SCOPE = /^(patient|user)\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/;

/** Whether the scopes a server granted (the token response's `scope`) allow creating `resourceType`. */
export function grantsCreate(granted: string | undefined, resourceType: string): boolean {
  return (granted ?? '').split(/\s+/).some((scope) => {
    const match = RESOURCE_SCOPE.exec(scope);
    if (!match) return false;
    const [, , type, permissions = ''] = match;
    if (type !== '*' && type !== resourceType) return false;
    return (
      permissions === 'write' || permissions === '*' || (permissions !== 'read' && permissions.includes('c'))
    );
  });
}
