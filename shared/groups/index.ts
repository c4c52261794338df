/** The groups the protocol names, one instance each (their constants are computed once). */

import { createFfdheGroup, type FfdheGroup } from './ffdhe.js';
import type { FfdheGroupName } from './group.js';

export type { FfdheGroup } from './ffdhe.js';
export type { FfdheGroupName, Group, GroupName } from './group.js';
export { GROUP_NAMES, isGroupName } from './group.js';
export type { RistrettoGroup, RistrettoPoint } from './ristretto255.js';
export { ristretto255Group } from './ristretto255.js';

const ffdheGroups = new Map<FfdheGroupName, FfdheGroup>();

export function ffdheGroup(name: FfdheGroupName): FfdheGroup {
  let group = ffdheGroups.get(name);
  if (!group) {
    group = createFfdheGroup(name);
    ffdheGroups.set(name, group);
  }
  return group;
}
