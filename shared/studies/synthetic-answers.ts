/**
 * Synthetic patients' answers to the example study (studies/home-blood-pressure.study.json), for the
 * demo and the tests: spread over every range, bin, stratum and option, and the same for the same i.
 */

import type { Answers } from './layout.js';

export function syntheticAnswers(i: number): Answers {
  return {
    systolic: 95 + ((i * 37) % 110),
    diastolic: 55 + ((i * 23) % 60),
    controlled: i % 3 === 0,
    ageBand: ['under50', 'from50to69', 'from70'][(i * 7) % 3] as string,
    missedDoses: ['none', 'one', 'twoOrThree', 'fourOrMore'][i % 4] as string,
  };
}
