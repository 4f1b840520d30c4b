/**
 * Semantic validation of decoded contract records: what Avro cannot say. Formats of identifiers
 * (docs/domain.md, "Identifier formats"), dates that exist, non-empty names, bounded sizes. A failure here makes the
 * message a poison message (VALIDATION_FAILED → dead-letter topic), so the rules check form, not business
 * truth: a well-formed registration whose data disagrees with HGD is a flow decision (REJECTED/IN_REVIEW), not
 * a validation error. Pure: no I/O.
 */
import type { SchemaName } from '../contracts/generated.js';
import {
  isBhxhCode,
  isCmnd,
  isHouseholdCode,
  isPassport,
  isValidDate,
  isValidYear,
  isValidYearMonth,
  parseCccd,
} from './identifiers.js';

/** Limits; every string not listed is at most `string` characters. */
export const LIMITS = {
  string: 512,
  name: 100,
  uri: 2048,
  note: 4000,
  errorMessage: 16_384,
  array: 50,
  headers: 100,
  reasonCode: 64,
  documentBytes: 50 * 1024 * 1024,
} as const;

/** Per field name, the longest string allowed, where it differs from LIMITS.string. */
const STRING_LIMITS: Record<string, number> = {
  fullName: LIMITS.name,
  fatherName: LIMITS.name,
  motherName: LIMITS.name,
  uri: LIMITS.uri,
  guardianshipDocumentRef: LIMITS.uri,
  evidenceRef: LIMITS.uri,
  note: LIMITS.note,
  errorMessage: LIMITS.errorMessage,
};

/** Per array field name, the most items allowed, where it differs from LIMITS.array. */
const ARRAY_LIMITS: Record<string, number> = { headers: LIMITS.headers };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const SHA256_RE = /^[0-9a-fA-F]{64}$/;
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;
const PROVINCE_RE = /^\d{2,3}$/; // 2 digits (old and 2025 lists); CCCD-style 3 digits also occur
const WARD_RE = /^\d{5}$/;
const REASON_CODE_RE = /^[A-Z0-9][A-Z0-9_.:-]*$/;

type Obj = Record<string, unknown>;

/** Reason codes validation reports besides VALIDATION_FAILED (src/domain/errors.ts). */
export type ProblemCode = 'VALIDATION_FAILED' | 'CONTROL_CHARACTER' | 'IMPOSSIBLE_DATE';

/** One problem: the field's path and what is wrong, never the value (it may be personal data). */
export interface Problem {
  code: ProblemCode;
  path: string;
  message: string;
}

/** The earliest year a date in a contract may have (births, issue and registration dates). */
export const MIN_YEAR = 1900;

/** A content problem as `vss-bridge validate` lists it: the field's path, a reason code, what is wrong. */
export interface FieldProblem {
  field: string;
  code: ValidationCode;
  message: string;
}

/** Reason codes of content rules (`vss-bridge validate`, docs/contracts.md). */
export type ValidationCode =
  | 'TOO_LONG'
  | 'EMPTY'
  | 'CONTROL_CHARACTERS'
  | 'INVALID_DATE'
  | 'INVALID_FORMAT'
  | 'MISSING'
  | 'OUT_OF_RANGE'
  | 'INVALID';

/** The validate command's reason code of a problem: the rule's own code when it has one, else its kind. */
export function validationCode(problem: Problem): ValidationCode {
  if (problem.code === 'CONTROL_CHARACTER') return 'CONTROL_CHARACTERS';
  if (problem.code === 'IMPOSSIBLE_DATE') return 'INVALID_DATE';
  const message = problem.message;
  if (/characters, at most|items, at most/.test(message)) return 'TOO_LONG';
  if (/must not be empty/.test(message)) return 'EMPTY';
  if (/date|instant|precision/.test(message)) return 'INVALID_DATE';
  if (/^missing$/.test(message)) return 'MISSING';
  if (/must be ≥|size between/.test(message)) return 'OUT_OF_RANGE';
  if (/^is not |^not a /.test(message)) return 'INVALID_FORMAT';
  return 'INVALID';
}

class Problems {
  readonly items: Problem[] = [];
  constructor(readonly today: string) {}
  add(path: string, msg: string, code: ProblemCode = 'VALIDATION_FAILED'): void {
    this.items.push({ code, path, message: msg });
  }
  get list(): string[] {
    return this.items.map((i) => `${i.path}: ${i.message}`);
  }
}

/** Free-text fields where TAB, LF and CR are allowed; every other string (identifiers, names, codes) has none. */
const FREE_TEXT = new Set(['note', 'errorMessage', 'address', 'registrationPlace']);
// C0 controls, DEL and C1 controls; and bidi overrides, which make an identifier print as another one.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function isObj(v: unknown): v is Obj {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date)
  );
}

/** Generic size limits over the whole record: string lengths (in code points) and array lengths. */
function checkSizes(v: unknown, path: string, field: string, p: Problems): void {
  if (typeof v === 'string') {
    const max = STRING_LIMITS[field] ?? LIMITS.string;
    const len = [...v].length;
    if (len > max) p.add(path, `${len} characters, at most ${max} allowed`);
    if ((FREE_TEXT.has(field) ? CONTROL_IN_TEXT_RE : CONTROL_RE).test(v))
      p.add(path, 'contains a control character', 'CONTROL_CHARACTER');
  } else if (Array.isArray(v)) {
    const max = ARRAY_LIMITS[field] ?? LIMITS.array;
    if (v.length > max) p.add(path, `${v.length} items, at most ${max} allowed`);
    v.slice(0, max).forEach((item, i) => checkSizes(item, `${path}[${i}]`, field, p));
  } else if (isObj(v)) {
    for (const [k, child] of Object.entries(v)) checkSizes(child, path ? `${path}.${k}` : k, k, p);
  }
}

function get(o: unknown, key: string): unknown {
  return isObj(o) ? o[key] : undefined;
}

function str(o: unknown, key: string): string | null | undefined {
  const v = get(o, key);
  return typeof v === 'string' ? v : (v as null | undefined);
}

/** Field checks, each skipped when the value is null (optional and absent). */
function nonEmpty(p: Problems, path: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'string' || v.trim() === '') p.add(path, 'must not be empty');
}

function name(p: Problems, path: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'string' || v.trim() === '') return p.add(path, 'name must not be empty');
  // Control characters are reported for every string by checkSizes (CONTROL_CHARACTER).
}

function matches(p: Problems, path: string, v: unknown, ok: (s: string) => boolean, what: string): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'string' || !ok(v)) p.add(path, `is not ${what}`);
}

function date(p: Problems, path: string, v: unknown): void {
  matches(p, path, v, isValidDate, 'a date that exists (YYYY-MM-DD)');
  if (typeof v === 'string' && isValidDate(v)) possible(p, path, v);
}

/**
 * A date (or its 'YYYY' / 'YYYY-MM' prefix) that cannot be true of a person or a document: before MIN_YEAR or
 * after today. Compared as text (ISO dates sort as text), a prefix against the same prefix of today.
 */
function possible(p: Problems, path: string, v: string): void {
  if (Number(v.slice(0, 4)) < MIN_YEAR) p.add(path, `is before ${MIN_YEAR}`, 'IMPOSSIBLE_DATE');
  else if (v > p.today.slice(0, v.length)) p.add(path, 'is in the future', 'IMPOSSIBLE_DATE');
}

function instant(p: Problems, path: string, v: unknown): void {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) p.add(path, 'not a valid instant');
}

function bhxh(p: Problems, path: string, v: unknown): void {
  matches(p, path, v, isBhxhCode, 'a BHXH code (10 digits)');
}

function household(p: Problems, path: string, v: unknown): void {
  matches(p, path, v, isHouseholdCode, 'a household code (10 digits)');
}

function province(p: Problems, path: string, v: unknown): void {
  matches(p, path, v, (s) => PROVINCE_RE.test(s), 'a province code (2 or 3 digits)');
}

function reasonCodes(p: Problems, path: string, v: unknown): void {
  if (!Array.isArray(v)) return p.add(path, 'not a list');
  v.slice(0, LIMITS.array).forEach((c, i) =>
    matches(
      p,
      `${path}[${i}]`,
      c,
      (s) => REASON_CODE_RE.test(s) && s.length <= LIMITS.reasonCode,
      `a reason code (A-Z, 0-9, _.:-, ≤ ${LIMITS.reasonCode})`,
    ),
  );
}

function finite(p: Problems, path: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v)) p.add(path, 'not a finite number');
}

function cccdOrCmnd(s: string): boolean {
  return s.length === 12 ? parseCccd(s) !== null : isCmnd(s);
}

/**
 * A CCCD/personal id number must be well formed here. Whether it agrees with the declared birth year and
 * gender is a business rule the flows decide (a REJECTED decision with a reason code the citizen can act
 * on), not a reason to dead-letter the message.
 */
function cccdOf(p: Problems, path: string, v: unknown, _dob: unknown, _gender: unknown): void {
  if (v === null || v === undefined) return;
  if (typeof v !== 'string') return p.add(path, 'not a string');
  if (parseCccd(v) === null) p.add(path, 'not a CCCD / personal id number (12 digits, province 001–096)');
}

function partialDate(p: Problems, path: string, v: unknown): void {
  const value = get(v, 'value');
  const precision = get(v, 'precision');
  if (typeof value !== 'string') return p.add(`${path}.value`, 'missing');
  // An unknown date of birth is declared as precision UNKNOWN with an empty value.
  if (precision === 'UNKNOWN' && value === '') return;
  const ok =
    precision === 'DAY'
      ? isValidDate(value)
      : precision === 'MONTH'
        ? isValidYearMonth(value)
        : precision === 'YEAR'
          ? isValidYear(value)
          : isValidDate(value) || isValidYearMonth(value) || isValidYear(value);
  if (!ok) p.add(`${path}.value`, `does not match precision ${String(precision)}`);
  else possible(p, `${path}.value`, value);
}

function documentRef(p: Problems, path: string, v: unknown): void {
  nonEmpty(p, `${path}.uri`, get(v, 'uri'));
  matches(p, `${path}.sha256`, get(v, 'sha256'), (s) => SHA256_RE.test(s), 'a SHA-256 (64 hex digits)');
  const size = get(v, 'sizeBytes');
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0 || size > LIMITS.documentBytes) {
    p.add(`${path}.sizeBytes`, `is not a size between 1 byte and ${LIMITS.documentBytes} bytes`);
  }
  matches(p, `${path}.mediaType`, get(v, 'mediaType'), (s) => MEDIA_TYPE_RE.test(s), 'a media type');
}

const RULES: Record<SchemaName, (r: unknown, p: Problems) => void> = {
  CodeLookupFailed(r, p) {
    nonEmpty(p, 'requestId', get(r, 'requestId'));
    const person = get(r, 'person');
    name(p, 'person.fullName', get(person, 'fullName'));
    partialDate(p, 'person.dateOfBirth', get(person, 'dateOfBirth'));
    const id = str(person, 'idNumber');
    if (id != null && !cccdOrCmnd(id)) {
      p.add('person.idNumber', 'is not a CCCD (12 digits) or CMND (9 digits) number');
    } else if (id != null && id.length === 12) {
      cccdOf(p, 'person.idNumber', id, get(get(person, 'dateOfBirth'), 'value'), get(person, 'gender'));
    }
    bhxh(p, 'person.bhxhCode', get(person, 'bhxhCode'));
    province(p, 'person.provinceCode', get(person, 'provinceCode'));
    matches(p, 'person.wardCode', get(person, 'wardCode'), (s) => WARD_RE.test(s), 'a ward code (5 digits)');
    name(p, 'person.fatherName', get(person, 'fatherName'));
    name(p, 'person.motherName', get(person, 'motherName'));
    bhxh(p, 'bqpCode', get(r, 'bqpCode'));
    nonEmpty(p, 'bqpUnit.unitCode', get(get(r, 'bqpUnit'), 'unitCode'));
    bhxh(p, 'staffBqpCode', get(r, 'staffBqpCode'));
  },

  ChildRegistrationSubmitted(r, p) {
    nonEmpty(p, 'registrationId', get(r, 'registrationId'));
    date(p, 'submittedOn', get(r, 'submittedOn'));
    const parent = get(r, 'parent');
    nonEmpty(p, 'parent.accountId', get(parent, 'accountId'));
    name(p, 'parent.fullName', get(parent, 'fullName'));
    date(p, 'parent.dateOfBirth', get(parent, 'dateOfBirth'));
    matches(
      p,
      'parent.idNumber',
      get(parent, 'idNumber'),
      (s) => cccdOrCmnd(s) || isPassport(s),
      'a CCCD, CMND or passport number',
    );
    bhxh(p, 'parent.bhxhCode', get(parent, 'bhxhCode'));
    household(p, 'parent.householdCode', get(parent, 'householdCode'));
    nonEmpty(p, 'guardianshipDocumentRef', get(r, 'guardianshipDocumentRef'));
    const child = get(r, 'child');
    name(p, 'child.fullName', get(child, 'fullName'));
    date(p, 'child.dateOfBirth', get(child, 'dateOfBirth'));
    bhxh(p, 'child.bhxhCode', get(child, 'bhxhCode'));
    cccdOf(
      p,
      'child.personalIdNumber',
      get(child, 'personalIdNumber'),
      get(child, 'dateOfBirth'),
      get(child, 'gender'),
    );
    matches(p, 'child.idCardNumber', get(child, 'idCardNumber'), cccdOrCmnd, 'a CCCD or CMND number');
    const bc = get(r, 'birthCertificate');
    nonEmpty(p, 'birthCertificate.number', get(bc, 'number'));
    nonEmpty(p, 'birthCertificate.registrationPlace', get(bc, 'registrationPlace'));
    province(p, 'birthCertificate.registrationProvinceCode', get(bc, 'registrationProvinceCode'));
    date(p, 'birthCertificate.registrationDate', get(bc, 'registrationDate'));
    name(p, 'birthCertificate.fullName', get(bc, 'fullName'));
    date(p, 'birthCertificate.dateOfBirth', get(bc, 'dateOfBirth'));
    name(p, 'birthCertificate.fatherName', get(bc, 'fatherName'));
    name(p, 'birthCertificate.motherName', get(bc, 'motherName'));
  },

  AdultRegistrationSubmitted(r, p) {
    nonEmpty(p, 'registrationId', get(r, 'registrationId'));
    date(p, 'submittedOn', get(r, 'submittedOn'));
    const person = get(r, 'person');
    name(p, 'person.fullName', get(person, 'fullName'));
    date(p, 'person.dateOfBirth', get(person, 'dateOfBirth'));
    bhxh(p, 'person.bhxhCode', get(person, 'bhxhCode'));
    province(p, 'person.provinceCode', get(person, 'provinceCode'));
    const doc = get(r, 'idDocument');
    const kind = get(doc, 'kind');
    const num = get(doc, 'number');
    if (kind === 'CCCD')
      cccdOf(p, 'idDocument.number', num, get(person, 'dateOfBirth'), get(person, 'gender'));
    else if (kind === 'CMND') matches(p, 'idDocument.number', num, isCmnd, 'a CMND number (9 or 12 digits)');
    else if (kind === 'PASSPORT')
      matches(p, 'idDocument.number', num, isPassport, 'a passport number (A1234567)');
    else matches(p, 'idDocument.number', num, (s) => cccdOrCmnd(s) || isPassport(s), 'an ID document number');
    date(p, 'idDocument.issueDate', get(doc, 'issueDate'));
    documentRef(p, 'form01', get(r, 'form01'));
    documentRef(p, 'idCopy', get(r, 'idCopy'));
    matches(
      p,
      'phone',
      get(r, 'phone'),
      (s) => /^\+?[0-9]{8,15}$/.test(s.replace(/[\s().-]/g, '')),
      'a phone number',
    );
    matches(p, 'email', get(r, 'email'), (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'an e-mail address');
  },

  RegistrationDecision(r, p) {
    nonEmpty(p, 'registrationId', get(r, 'registrationId'));
    nonEmpty(p, 'sourceEventId', get(r, 'sourceEventId'));
    reasonCodes(p, 'reasonCodes', get(r, 'reasonCodes'));
    bhxh(p, 'bhxhCode', get(r, 'bhxhCode'));
    nonEmpty(p, 'caseId', get(r, 'caseId'));
    nonEmpty(p, 'operator', get(r, 'operator'));
  },

  CodeMapping(r, p) {
    nonEmpty(p, 'requestId', get(r, 'requestId'));
    nonEmpty(p, 'sourceEventId', get(r, 'sourceEventId'));
    bhxh(p, 'bqpCode', get(r, 'bqpCode'));
    nonEmpty(p, 'memberId', get(r, 'memberId'));
    household(p, 'householdCode', get(r, 'householdCode'));
    bhxh(p, 'previousCode', get(r, 'previousCode'));
    finite(p, 'score', get(r, 'score'));
    nonEmpty(p, 'operator', get(r, 'operator'));
    nonEmpty(p, 'caseId', get(r, 'caseId'));
    reasonCodes(p, 'reasonCodes', get(r, 'reasonCodes'));
  },

  ReviewCase(r, p) {
    nonEmpty(p, 'caseId', get(r, 'caseId'));
    nonEmpty(p, 'subjectId', get(r, 'subjectId'));
    reasonCodes(p, 'reasonCodes', get(r, 'reasonCodes'));
    const candidates = get(r, 'candidates');
    if (Array.isArray(candidates)) {
      candidates.slice(0, LIMITS.array).forEach((c, i) => {
        nonEmpty(p, `candidates[${i}].memberId`, get(c, 'memberId'));
        household(p, `candidates[${i}].householdCode`, get(c, 'householdCode'));
        finite(p, `candidates[${i}].score`, get(c, 'score'));
      });
    }
  },

  DeadLetter(r, p) {
    nonEmpty(p, 'sourceTopic', get(r, 'sourceTopic'));
    const part = get(r, 'sourcePartition');
    if (typeof part !== 'number' || !Number.isInteger(part) || part < 0)
      p.add('sourcePartition', 'must be ≥ 0');
    const off = get(r, 'sourceOffset');
    if (typeof off !== 'number' || !Number.isInteger(off) || off < 0) p.add('sourceOffset', 'must be ≥ 0');
    nonEmpty(p, 'consumerGroup', get(r, 'consumerGroup'));
    nonEmpty(p, 'errorClass', get(r, 'errorClass'));
    nonEmpty(p, 'errorCode', get(r, 'errorCode'));
    const attempts = get(r, 'attempts');
    if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1)
      p.add('attempts', 'must be ≥ 1');
  },
};

/**
 * Problems with a decoded record (empty when it is valid), each as `path: what is wrong`. The record is
 * assumed to have passed Avro decoding (shape and types); only meaning is checked here.
 */
export function validateRecord(schemaName: SchemaName, record: unknown, now: Date = new Date()): string[] {
  return validateRecordProblems(schemaName, record, now).map((i) => `${i.path}: ${i.message}`);
}

/**
 * The same problems with their reason codes. `now` bounds dates ("in the future"); a day of slack covers
 * producers a time zone ahead (Vietnam is UTC+7).
 */
export function validateRecordProblems(
  schemaName: SchemaName,
  record: unknown,
  now: Date = new Date(),
): Problem[] {
  const p = new Problems(new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10));
  if (!isObj(record)) return [{ code: 'VALIDATION_FAILED', path: 'record', message: 'not an object' }];
  matches(p, 'eventId', record.eventId, (s) => UUID_RE.test(s), 'a UUID');
  instant(p, 'occurredAt', record.occurredAt);
  checkSizes(record, '', '', p);
  RULES[schemaName](record, p);
  return p.items;
}

/** The reason code a list of problems is dead-lettered with: the first specific one, else VALIDATION_FAILED. */
export function problemCode(problems: readonly Problem[]): ProblemCode {
  return problems.find((i) => i.code !== 'VALIDATION_FAILED')?.code ?? 'VALIDATION_FAILED';
}

/** The problems of a record for `vss-bridge validate`, each with its field and reason code (never the value). */
export function validateRecordDetailed(
  schemaName: SchemaName,
  record: unknown,
  now: Date = new Date(),
): FieldProblem[] {
  return validateRecordProblems(schemaName, record, now).map((i) => ({
    field: i.path,
    code: validationCode(i),
    message: i.message,
  }));
}
