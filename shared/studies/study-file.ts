/**
 * A study file (docs/STUDIES.md): what a sponsor asks many patients, the statistics it may learn from
 * their sums, who holds the key that opens only those sums, and when. The same `parseStudy` checks a
 * file on the service, in the `study` command and in the browser before a patient agrees, so what one
 * accepts the others accept, and every refusal names the member (its JSON path) and what is wrong.
 *
 * Numbers are fixed point: a number measure declares its decimals (`precision`), and every bound, bin
 * edge and answer must be a decimal with at most that many digits, so that it is exactly an integer
 * once scaled (`scaled`) and the layout (layout.ts) can encrypt and prove integers only.
 */

import { ristretto255 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { base64urlnopad } from '@scure/base';
import { isRecord } from '../records.js';

export const STUDY_FORMAT = 'sealed-vitals-study/1';

/** Every limit the parser enforces: the layout's integers and the contribution's size follow from them. */
export const STUDY_LIMITS = {
  /** Decimal digits of a number measure. */
  maxPrecision: 4,
  /** A number's range in integer steps, R = (max − min)·10^precision: its square must stay small. */
  maxRangeSteps: 65_535,
  /** |min|·10^precision and |max|·10^precision. */
  maxMagnitude: 1_000_000_000,
  maxMeasures: 32,
  maxOptions: 16,
  maxBins: 32,
  maxTrustees: 32,
  /** Ciphertexts in one contribution (layout.ts counts them when the file is parsed). */
  maxSlots: 256,
  minConfidenceLevel: 0.5,
  maxConfidenceLevel: 0.9999,
  /** The smallest cohort any study may release: a standard deviation needs two values. */
  minCohortFloor: 2,
  maxTextLength: 2_000,
} as const;

export class StudyError extends Error {
  override readonly name = 'StudyError';
  constructor(
    /** The member's JSON path (`measures.systolic.max`), or `(file)` for the whole file. */
    readonly member: string,
    readonly why: string,
  ) {
    super(`${member}: ${why}`);
  }
}

/** A confidence level, e.g. 0.95. */
export interface Interval {
  readonly level: number;
}

/** One histogram bin: the values v with from ≤ v ≤ to, both at the measure's precision. */
export interface Bin {
  readonly from: number;
  readonly to: number;
}

export interface NumberStatistics {
  readonly count: boolean;
  readonly mean: boolean;
  /** The sample standard deviation, with a Student-t interval for the mean at `level`. */
  readonly sd?: Interval;
  readonly histogram?: { readonly bins: readonly Bin[] };
}

export interface ShareStatistics {
  readonly count: boolean;
  /** The share of each answer, with a Wilson interval at `level`. */
  readonly proportion?: Interval;
}

export interface NumberMeasure {
  readonly kind: 'number';
  readonly name: string;
  readonly label: string;
  readonly help?: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  /** Decimal digits kept: 0 for whole numbers, 1 for tenths… */
  readonly precision: number;
  readonly statistics: NumberStatistics;
}

export interface BooleanMeasure {
  readonly kind: 'boolean';
  readonly name: string;
  readonly label: string;
  readonly help?: string;
  readonly statistics: ShareStatistics;
}

export interface ChoiceMeasure {
  readonly kind: 'choice';
  readonly name: string;
  readonly label: string;
  readonly help?: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly statistics: ShareStatistics;
}

export type Measure = NumberMeasure | BooleanMeasure | ChoiceMeasure;

export interface Trustee {
  readonly name: string;
  /** A ristretto255 element, unpadded base64url (32 bytes). */
  readonly publicKey: string;
}

export interface Study {
  readonly format: typeof STUDY_FORMAT;
  readonly id: string;
  readonly title: string;
  readonly sponsor: string;
  readonly purpose: string;
  readonly measures: readonly Measure[];
  /** The choice measure whose options are the strata. */
  readonly stratifyBy?: string;
  readonly minimumCohort: number;
  readonly opens: string;
  readonly closes: string;
  readonly trustees: { readonly threshold: number; readonly members: readonly Trustee[] };
  /** Filled in by the key ceremony: the trustees' joint key, and the ceremony record's file name. */
  readonly jointKey?: string;
  readonly ceremony?: string;
  readonly tokenIssuer: { readonly name: string; readonly publicKey: string };
}

const NAME = /^[a-z][a-zA-Z0-9]{0,31}$/;
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,122}\.json$/;

const REQUIRED_KEYS = [
  'format',
  'id',
  'title',
  'sponsor',
  'purpose',
  'measures',
  'minimumCohort',
  'opens',
  'closes',
  'trustees',
  'tokenIssuer',
];
const STUDY_KEYS = [
  'format',
  'id',
  'title',
  'sponsor',
  'purpose',
  'measures',
  'stratifyBy',
  'minimumCohort',
  'opens',
  'closes',
  'trustees',
  'jointKey',
  'ceremony',
  'tokenIssuer',
];

/**
 * Checks an untrusted study file; throws `StudyError` naming the member and what is wrong. The slot
 * count is checked by the caller that lays it out (`parseStudy` in layout.ts adds that check), so
 * use that one unless you only need the file's own rules.
 */
export function parseStudyFile(value: unknown): Study {
  if (!isRecord(value)) throw new StudyError('(file)', 'is not a JSON object');
  const unknown = Object.keys(value).filter((k) => !STUDY_KEYS.includes(k));
  if (unknown.length > 0) throw new StudyError(unknown[0] as string, 'unknown member');
  const missing = REQUIRED_KEYS.find((k) => !Object.hasOwn(value, k));
  if (missing !== undefined) throw new StudyError(missing, 'is missing');
  if (value.format !== STUDY_FORMAT) throw new StudyError('format', `must be "${STUDY_FORMAT}"`);
  if (typeof value.id !== 'string' || !ID.test(value.id) || value.id.length > 64)
    throw new StudyError('id', 'must be lowercase letters and digits in words joined by "-" (at most 64)');
  const measures = parseMeasures(value.measures);
  const stratifyBy = value.stratifyBy === undefined ? undefined : parseStrata(value.stratifyBy, measures);
  const minimumCohort = value.minimumCohort;
  if (
    typeof minimumCohort !== 'number' ||
    !Number.isInteger(minimumCohort) ||
    minimumCohort < STUDY_LIMITS.minCohortFloor ||
    minimumCohort > 1_000_000
  )
    throw new StudyError(
      'minimumCohort',
      `must be a whole number from ${STUDY_LIMITS.minCohortFloor} to 1,000,000 (a standard deviation needs two values)`,
    );
  const opens = parseTime(value.opens, 'opens');
  const closes = parseTime(value.closes, 'closes');
  if (!(Date.parse(closes) > Date.parse(opens))) throw new StudyError('closes', 'must be after opens');
  const trustees = parseTrustees(value.trustees);
  if ((value.jointKey === undefined) !== (value.ceremony === undefined))
    throw new StudyError(
      value.jointKey === undefined ? 'jointKey' : 'ceremony',
      'is missing: the key ceremony fills in jointKey and ceremony together',
    );
  const keyed =
    value.jointKey === undefined
      ? {}
      : {
          jointKey: parseElement(value.jointKey, 'jointKey'),
          ceremony: parseFileName(value.ceremony, 'ceremony'),
        };
  if (keyed.jointKey !== undefined && trustees.members.some((m) => m.publicKey === keyed.jointKey))
    throw new StudyError('jointKey', 'is a trustee’s own key, not a joint key');
  return {
    format: STUDY_FORMAT,
    id: value.id,
    title: text(value, 'title', ''),
    sponsor: text(value, 'sponsor', ''),
    purpose: text(value, 'purpose', ''),
    measures,
    ...(stratifyBy === undefined ? {} : { stratifyBy }),
    minimumCohort,
    opens,
    closes,
    trustees,
    ...keyed,
    tokenIssuer: parseTokenIssuer(value.tokenIssuer),
  };
}

/** The stratifying choice measure, if the study has one. */
export function strataMeasure(study: Study): ChoiceMeasure | undefined {
  if (study.stratifyBy === undefined) return undefined;
  return study.measures.find((m): m is ChoiceMeasure => m.name === study.stratifyBy && m.kind === 'choice');
}

/**
 * A decimal at `precision` digits as the integer x·10^precision, exactly; undefined when x has more
 * digits than that (as the nearest double to a decimal of at most `precision` digits, x prints back as
 * that decimal with toFixed, and any other x does not).
 */
export function scaled(x: number, precision: number): bigint | undefined {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e15) return undefined;
  const fixed = x.toFixed(precision);
  if (Number(fixed) !== x) return undefined;
  return BigInt(fixed.replace('.', ''));
}

const MEASURE_KEYS: Readonly<Record<string, string[]>> = {
  number: ['kind', 'name', 'label', 'unit', 'min', 'max', 'precision', 'statistics'],
  boolean: ['kind', 'name', 'label', 'statistics'],
  choice: ['kind', 'name', 'label', 'options', 'statistics'],
};

function parseMeasures(value: unknown): Measure[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new StudyError('measures', 'must be a non-empty array');
  if (value.length > STUDY_LIMITS.maxMeasures)
    throw new StudyError(
      'measures',
      `has ${value.length} measures, more than the limit ${STUDY_LIMITS.maxMeasures}`,
    );
  const seen = new Set<string>();
  return value.map((measure, i) => {
    const path = `measures[${i}]`;
    if (!isRecord(measure)) throw new StudyError(path, 'must be an object');
    const name = parseName(measure.name, `${path}.name`);
    if (seen.has(name)) throw new StudyError(`${path}.name`, `${name} is used twice`);
    seen.add(name);
    const at = `measures.${name}`;
    const keys = MEASURE_KEYS[measure.kind as string];
    if (keys === undefined) throw new StudyError(`${at}.kind`, 'must be number, boolean or choice');
    exactKeys(measure, at, keys, ['help']);
    const common = { name, label: text(measure, 'label', at), ...optionalText(measure, 'help', at) };
    switch (measure.kind) {
      case 'number':
        return parseNumberMeasure(measure, common, at);
      case 'boolean':
        return { kind: 'boolean', ...common, statistics: parseShareStatistics(measure.statistics, at) };
      case 'choice':
        return {
          kind: 'choice',
          ...common,
          options: parseOptions(measure.options, `${at}.options`),
          statistics: parseShareStatistics(measure.statistics, at),
        };
      default:
        throw new StudyError(`${at}.kind`, 'must be number, boolean or choice');
    }
  });
}

function parseNumberMeasure(
  measure: Record<string, unknown>,
  common: { name: string; label: string; help?: string },
  at: string,
): NumberMeasure {
  const unit = text(measure, 'unit', at);
  const precision = measure.precision;
  if (
    typeof precision !== 'number' ||
    !Number.isInteger(precision) ||
    precision < 0 ||
    precision > STUDY_LIMITS.maxPrecision
  )
    throw new StudyError(
      `${at}.precision`,
      `must be a whole number of decimal digits, 0 to ${STUDY_LIMITS.maxPrecision}`,
    );
  const bound = (key: 'min' | 'max') => {
    const member = `${at}.${key}`;
    const v = measure[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new StudyError(member, 'must be a finite number');
    const integer = scaled(v, precision);
    if (integer === undefined)
      throw new StudyError(member, `has more decimals than the measure’s precision (${precision})`);
    if (integer > BigInt(STUDY_LIMITS.maxMagnitude) || -integer > BigInt(STUDY_LIMITS.maxMagnitude))
      throw new StudyError(
        member,
        `× 10^${precision} is beyond ±${STUDY_LIMITS.maxMagnitude.toLocaleString('en')}, the limit of a measure’s bounds`,
      );
    return { value: v, integer };
  };
  const min = bound('min');
  const max = bound('max');
  if (!(min.integer < max.integer)) throw new StudyError(`${at}.max`, 'must be above min');
  const steps = max.integer - min.integer;
  if (steps > BigInt(STUDY_LIMITS.maxRangeSteps))
    throw new StudyError(
      `${at}.max`,
      `makes a range of ${steps} steps of ${stepOf(precision)} ${unit} for ${common.name}, more than the limit ` +
        `${STUDY_LIMITS.maxRangeSteps} (16 bits): narrow the range or lower the precision`,
    );
  const statistics = parseNumberStatistics(measure.statistics, at, { min, max, precision });
  return { kind: 'number', ...common, unit, min: min.value, max: max.value, precision, statistics };
}

const NUMBER_STATISTICS = ['count', 'mean', 'sd', 'histogram'];
const SHARE_STATISTICS = ['count', 'proportion'];

function statisticsRecord(value: unknown, at: string, allowed: string[]): Record<string, unknown> {
  const path = `${at}.statistics`;
  if (!isRecord(value)) throw new StudyError(path, `must be an object with some of ${allowed.join(', ')}`);
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw new StudyError(
      `${path}.${extra[0]}`,
      `is not a statistic of this kind of measure (${allowed.join(', ')})`,
    );
  if (Object.keys(value).length === 0) throw new StudyError(path, 'must release at least one statistic');
  for (const key of ['count', 'mean']) {
    if (value[key] !== undefined && value[key] !== true)
      throw new StudyError(`${path}.${key}`, 'must be true (leave it out to not release it)');
  }
  return value;
}

function parseNumberStatistics(
  value: unknown,
  at: string,
  range: { min: { integer: bigint }; max: { integer: bigint }; precision: number },
): NumberStatistics {
  const record = statisticsRecord(value, at, NUMBER_STATISTICS);
  const path = `${at}.statistics`;
  if (record.sd !== undefined && record.mean !== true)
    throw new StudyError(`${path}.sd`, 'needs mean too: its interval is the mean’s');
  return {
    count: record.count === true,
    mean: record.mean === true,
    ...(record.sd === undefined ? {} : { sd: parseInterval(record.sd, `${path}.sd`) }),
    ...(record.histogram === undefined
      ? {}
      : { histogram: { bins: parseBins(record.histogram, `${path}.histogram`, range) } }),
  };
}

function parseShareStatistics(value: unknown, at: string): ShareStatistics {
  const record = statisticsRecord(value, at, SHARE_STATISTICS);
  return {
    count: record.count === true,
    ...(record.proportion === undefined
      ? {}
      : { proportion: parseInterval(record.proportion, `${at}.statistics.proportion`) }),
  };
}

function parseInterval(value: unknown, path: string): Interval {
  if (!isRecord(value))
    throw new StudyError(path, 'must be {"level": confidence level}, e.g. {"level": 0.95}');
  exactKeys(value, path, ['level']);
  const level = value.level;
  const { minConfidenceLevel: lo, maxConfidenceLevel: hi } = STUDY_LIMITS;
  if (typeof level !== 'number' || !(level >= lo && level <= hi) || scaled(level, 4) === undefined)
    throw new StudyError(`${path}.level`, `must be a number from ${lo} to ${hi} with at most 4 decimals`);
  return { level };
}

function parseBins(
  value: unknown,
  path: string,
  range: { min: { integer: bigint }; max: { integer: bigint }; precision: number },
): Bin[] {
  if (!isRecord(value)) throw new StudyError(path, 'must be {"bins": [{"from", "to"}, …]}');
  exactKeys(value, path, ['bins']);
  const list = value.bins;
  const at = `${path}.bins`;
  if (!Array.isArray(list) || list.length < 2) throw new StudyError(at, 'must list at least two bins');
  if (list.length > STUDY_LIMITS.maxBins)
    throw new StudyError(at, `has ${list.length} bins, more than the limit ${STUDY_LIMITS.maxBins}`);
  const { precision } = range;
  let expected = range.min.integer;
  const bins = list.map((bin, i) => {
    const where = `${at}[${i}]`;
    if (!isRecord(bin)) throw new StudyError(where, 'must be {"from", "to"}');
    exactKeys(bin, where, ['from', 'to']);
    const edge = (key: 'from' | 'to') => {
      const v = bin[key];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new StudyError(`${where}.${key}`, 'must be a finite number');
      const integer = scaled(v, precision);
      if (integer === undefined)
        throw new StudyError(
          `${where}.${key}`,
          `has more decimals than the measure’s precision (${precision})`,
        );
      return integer;
    };
    const [from, to] = [edge('from'), edge('to')];
    if (from !== expected)
      throw new StudyError(
        `${where}.from`,
        i === 0
          ? 'must be the measure’s min: the bins must cover [min, max]'
          : `must follow the previous bin’s to by one step (${stepOf(precision)}): bins are contiguous`,
      );
    if (to < from) throw new StudyError(`${where}.to`, 'must not be below from');
    expected = to + 1n;
    return { from: bin.from as number, to: bin.to as number };
  });
  if (expected - 1n !== range.max.integer)
    throw new StudyError(
      `${at}[${list.length - 1}].to`,
      'must be the measure’s max: the bins must cover [min, max]',
    );
  return bins;
}

function parseOptions(value: unknown, path: string): ChoiceMeasure['options'] {
  if (!Array.isArray(value) || value.length < 2) throw new StudyError(path, 'must list at least two options');
  if (value.length > STUDY_LIMITS.maxOptions)
    throw new StudyError(path, `has ${value.length} options, more than the limit ${STUDY_LIMITS.maxOptions}`);
  const seen = new Set<string>();
  return value.map((option, j) => {
    const at = `${path}[${j}]`;
    if (!isRecord(option)) throw new StudyError(at, 'must be {"value", "label"}');
    exactKeys(option, at, ['value', 'label']);
    const v = parseName(option.value, `${at}.value`);
    if (seen.has(v)) throw new StudyError(`${at}.value`, `${v} is used twice`);
    seen.add(v);
    return { value: v, label: text(option, 'label', at) };
  });
}

function parseStrata(value: unknown, measures: readonly Measure[]): string {
  const measure = measures.find((m) => m.name === value);
  if (measure?.kind !== 'choice')
    throw new StudyError('stratifyBy', 'must name a choice measure of this study');
  return measure.name;
}

/**
 * An RFC 3339 date-time with seconds and an explicit offset (`Z` or ±hh:mm), upper-case `T` and `Z`;
 * every field checked (Date.parse alone takes 30 February), no leap second.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

function parseTime(value: unknown, member: string): string {
  const wrong = () =>
    new StudyError(
      member,
      'must be an RFC 3339 time with seconds and an offset, e.g. "2026-03-01T00:00:00Z"',
    );
  if (typeof value !== 'string') throw wrong();
  const m = RFC3339.exec(value);
  if (!m) throw wrong();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  const offsetOk = m[8] === 'Z' || (Number(m[10]) <= 23 && Number(m[11]) <= 59);
  if (
    (month as number) < 1 ||
    (month as number) > 12 ||
    (day as number) < 1 ||
    (day as number) > daysInMonth ||
    (hour as number) > 23 ||
    (minute as number) > 59 ||
    (second as number) > 59 ||
    !offsetOk ||
    Number.isNaN(Date.parse(value))
  )
    throw new StudyError(member, `is not a real time (${value})`);
  return value;
}

function parseTrustees(value: unknown): Study['trustees'] {
  if (!isRecord(value)) throw new StudyError('trustees', 'must be {"threshold": k, "members": [...]}');
  exactKeys(value, 'trustees', ['threshold', 'members']);
  const list = value.members;
  if (!Array.isArray(list) || list.length === 0)
    throw new StudyError('trustees.members', 'must list at least one trustee');
  if (list.length > STUDY_LIMITS.maxTrustees)
    throw new StudyError(
      'trustees.members',
      `has ${list.length} trustees, more than the limit ${STUDY_LIMITS.maxTrustees}`,
    );
  const names = new Set<string>();
  const keys = new Set<string>();
  const members = list.map((member, i) => {
    const at = `trustees.members[${i}]`;
    if (!isRecord(member)) throw new StudyError(at, 'must be {"name", "publicKey"}');
    exactKeys(member, at, ['name', 'publicKey']);
    const name = text(member, 'name', at);
    if (names.has(name)) throw new StudyError(`${at}.name`, `${name} is listed twice`);
    names.add(name);
    const publicKey = parseElement(member.publicKey, `${at}.publicKey`);
    if (keys.has(publicKey)) throw new StudyError(`${at}.publicKey`, 'is another trustee’s key too');
    keys.add(publicKey);
    return { name, publicKey };
  });
  const k = value.threshold;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > members.length)
    throw new StudyError(
      'trustees.threshold',
      `must be a whole number from 1 to the number of trustees (${members.length})`,
    );
  return { threshold: k, members };
}

/** A ristretto255 element other than the identity, as unpadded base64url (RFC 9496 encoding). */
function parseElement(value: unknown, member: string): string {
  const bytes = parseBase64Url(value, member);
  if (bytes.length !== 32)
    throw new StudyError(member, `must encode 32 bytes (a ristretto255 element), not ${bytes.length}`);
  let point: InstanceType<typeof ristretto255.Point>;
  try {
    point = ristretto255.Point.fromBytes(bytes);
  } catch {
    throw new StudyError(member, 'is not a valid ristretto255 element (RFC 9496 §4.3.1)');
  }
  if (point.equals(ristretto255.Point.ZERO)) throw new StudyError(member, 'is the identity, which is no key');
  return value as string;
}

function parseBase64Url(value: unknown, member: string): Uint8Array {
  if (typeof value !== 'string') throw new StudyError(member, 'must be a string of unpadded base64url');
  try {
    return base64urlnopad.decode(value);
  } catch {
    throw new StudyError(member, 'is not unpadded base64url (RFC 4648 §5)');
  }
}

function parseFileName(value: unknown, member: string): string {
  if (typeof value !== 'string' || !FILE_NAME.test(value) || value.includes('..'))
    throw new StudyError(
      member,
      'must be a file name ending in .json (letters, digits, ".", "_", "-"; no folder; at most 128)',
    );
  return value;
}

/** A DNS name in lowercase: dot-separated labels of [a-z0-9-], none starting or ending with "-". */
const SERVER_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function parseTokenIssuer(value: unknown): Study['tokenIssuer'] {
  if (!isRecord(value)) throw new StudyError('tokenIssuer', 'must be {"name", "publicKey"}');
  exactKeys(value, 'tokenIssuer', ['name', 'publicKey']);
  const name = text(value, 'name', 'tokenIssuer');
  // RFC 9577 §2.1: the challenge's issuer_name is the issuer's server name.
  if (!SERVER_NAME.test(name) || name.length > 253)
    throw new StudyError(
      'tokenIssuer.name',
      'must be the issuer’s server name (RFC 9577), e.g. "issuer.example.org"',
    );
  const spki = parseBase64Url(value.publicKey, 'tokenIssuer.publicKey');
  const why = rsaSpkiProblem(spki);
  if (why !== undefined) throw new StudyError('tokenIssuer.publicKey', why);
  return { name, publicKey: value.publicKey as string };
}

const RSA_ENCRYPTION = '2a864886f70d010101';
const RSASSA_PSS = '2a864886f70d01010a';

/**
 * Why these bytes are not a DER SubjectPublicKeyInfo of an RSA key of 2048 bits (rsaEncryption
 * as WebCrypto exports it, or id-RSASSA-PSS as RFC 9578 issuers publish it); undefined when they are.
 * Only the shape: the token verifier imports the key itself.
 */
export function rsaSpkiProblem(bytes: Uint8Array): string | undefined {
  try {
    const spki = derRead(bytes, 0, 0x30);
    if (spki.end !== bytes.length) return 'has bytes after the SubjectPublicKeyInfo';
    const algorithm = derRead(bytes, spki.start, 0x30);
    const oid = derRead(bytes, algorithm.start, 0x06);
    const oidHex = bytesToHex(bytes.subarray(oid.start, oid.end));
    if (oidHex !== RSA_ENCRYPTION && oidHex !== RSASSA_PSS)
      return 'is not an RSA key (algorithm must be rsaEncryption or id-RSASSA-PSS)';
    const bits = derRead(bytes, algorithm.end, 0x03);
    if (bits.end !== spki.end) return 'has bytes after the key in the SubjectPublicKeyInfo';
    if (bytes[bits.start] !== 0) return 'has a key BIT STRING with unused bits';
    const key = derRead(bytes, bits.start + 1, 0x30);
    const modulus = derRead(bytes, key.start, 0x02);
    const exponent = derRead(bytes, modulus.end, 0x02);
    if (exponent.end !== key.end || key.end !== bits.end) return 'has an RSAPublicKey that is not (n, e)';
    let n = bytes.subarray(modulus.start, modulus.end);
    if (n[0] === 0) n = n.subarray(1);
    const modulusBits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
    // RFC 9578 token type 0x0002 is RSA-2048 exactly.
    if (modulusBits !== 2048)
      return `has a ${modulusBits}-bit modulus; token type 2 (RFC 9578) needs 2048 bits`;
    return undefined;
  } catch {
    return 'is not a DER SubjectPublicKeyInfo';
  }
}

/** One DER element of `tag` at `offset`: where its content starts and ends. Definite lengths only. */
function derRead(bytes: Uint8Array, offset: number, tag: number): { start: number; end: number } {
  if (bytes[offset] !== tag) throw new Error('unexpected tag');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length === undefined) throw new Error('truncated');
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw new Error('bad length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[start + i];
      if (b === undefined) throw new Error('truncated');
      length = length * 256 + b;
    }
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new Error('truncated');
  return { start, end };
}

/** The smallest difference at `precision` decimals, written out: 1, 0.1, 0.01… */
function stepOf(precision: number): string {
  return precision === 0 ? '1' : `0.${'0'.repeat(precision - 1)}1`;
}

function parseName(value: unknown, path: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw new StudyError(path, 'must be a name: a lowercase letter, then letters and digits (at most 32)');
  return value;
}

function exactKeys(
  record: Record<string, unknown>,
  path: string,
  required: string[],
  optional: string[] = [],
) {
  for (const key of required)
    if (!Object.hasOwn(record, key)) throw new StudyError(`${path}.${key}`, 'is missing');
  const extra = Object.keys(record).filter((k) => !required.includes(k) && !optional.includes(k));
  if (extra.length > 0) throw new StudyError(`${path}.${extra[0]}`, 'unknown member');
}

function text(record: Record<string, unknown>, key: string, path: string): string {
  const member = path === '' ? key : `${path}.${key}`;
  const v = record[key];
  if (typeof v !== 'string' || v.trim() === '') throw new StudyError(member, 'must be a non-empty string');
  if (v.length > STUDY_LIMITS.maxTextLength)
    throw new StudyError(member, `is longer than ${STUDY_LIMITS.maxTextLength} characters`);
  return v;
}

function optionalText(record: Record<string, unknown>, key: string, path: string): { help?: string } {
  return record[key] === undefined ? {} : { [key]: text(record, key, path) };
}
