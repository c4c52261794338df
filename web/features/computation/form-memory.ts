/**
 * The last values typed into each calculator, kept on this device so a reload or a return visit
 * finds the form as it was left. Sealed at rest like the history (the crypto worker seals each draft
 * under the device's data key, web/crypto/sealed-records.ts; never sent); while the device is
 * locked nothing is remembered or recalled.
 */

import type { Computation } from '../../../shared/computations/computation.js';
import { isRecord } from '../../../shared/records.js';
import { forgetSealedDraft, recallSealedDraft, saveSealedDraft } from '../../crypto/client.js';
import { type Draft, emptyDraft } from './draft.js';

export async function rememberDraft(computation: Computation, draft: Draft): Promise<void> {
  await saveSealedDraft(computation.id, draft);
}

export async function forgetDraft(computation: Computation): Promise<void> {
  await forgetSealedDraft(computation.id);
}

/**
 * The draft last remembered for this computation, read field by field onto an empty one: a field
 * the computation no longer has is dropped, one it has gained starts empty, and a value of the wrong
 * shape is ignored. Undefined when nothing was remembered or storage cannot be read.
 */
export async function recallDraft(computation: Computation): Promise<Draft | undefined> {
  const stored = await recallSealedDraft(computation.id).catch(() => undefined);
  if (!isRecord(stored)) return undefined;
  const empty = emptyDraft(computation);
  const numbers = { ...empty.numbers };
  const flags = { ...empty.flags };
  const choices: Record<string, string> = {};
  const series = { ...empty.series };
  const dates = { ...empty.dates };
  const part = (name: string) => (isRecord(stored[name]) ? stored[name] : {});
  for (const field of computation.fields) {
    const { name } = field;
    switch (field.kind) {
      case 'number': {
        const number = part('numbers')[name];
        if (
          isRecord(number) &&
          typeof number.text === 'string' &&
          field.units.some((unit) => unit.id === number.unit)
        )
          numbers[name] = { text: number.text, unit: String(number.unit) };
        break;
      }
      case 'boolean': {
        const flag = part('flags')[name];
        if (typeof flag === 'boolean') flags[name] = flag;
        break;
      }
      case 'choice': {
        const choice = part('choices')[name];
        if (field.options.some((option) => option.value === choice)) choices[name] = String(choice);
        break;
      }
      case 'date': {
        const date = part('dates')[name];
        if (typeof date === 'string') dates[name] = date;
        break;
      }
      case 'series': {
        const texts = part('series')[name];
        if (
          Array.isArray(texts) &&
          texts.length > 0 &&
          texts.length <= field.maxItems &&
          texts.every((text) => typeof text === 'string')
        )
          series[name] = texts;
        break;
      }
    }
  }
  return { numbers, flags, choices, series, dates };
}
