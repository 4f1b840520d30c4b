/**
 * The console's review port: queue filters and each candidate's HGD record read here, resolutions made by the
 * review desk (src/flows/review), which checks role, case state and candidate membership and applies the
 * effects. Its refusals become HTTP statuses here; the operator always comes from the credential.
 */
import type { Knex } from 'knex';
import { ReviewRefused, type RefusalCode } from '../../flows/review/actions.js';
import type { ReviewDesk } from '../../flows/review/desk.js';
import type { MemberRecord } from '../../matching/types.js';
import { currentProvinceCode } from '../../matching/province.js';
import { can, type OperatorIdentity } from './auth/identity.js';
import {
  ReviewRefusal,
  type CaseDetail,
  type CaseSummary,
  type ConsoleAction,
  type ConsoleReviewPort,
  type PersonView,
  type Queue,
  type QueueFilter,
  type ResolveResult,
} from './review-port.js';
import { getMember, listHouseholdMembers } from '../../../connectors/hgd/repository.js';
import type { ReviewCaseRow } from '../../../connectors/db/review-cases.js';

/** The resolving side of the review desk, as the console uses it. */
export type ReviewResolver = Pick<ReviewDesk, 'resolve' | 'reopen'>;

const getReviewCase = async (db: Knex, caseId: string): Promise<ReviewCaseRow | undefined> =>
  db<ReviewCaseRow>('bridge.review_cases').where({ case_id: caseId }).first();

const REFUSAL_STATUS: Record<RefusalCode, 400 | 403 | 404 | 409> = {
  CASE_NOT_FOUND: 404,
  CASE_NOT_OPEN: 409,
  ROLE_NOT_ALLOWED: 403,
  NOT_A_CANDIDATE: 403,
  OVERRIDE_REASON_REQUIRED: 400,
  MEMBER_NOT_FOUND: 404,
  NOT_APPROVABLE: 409,
  CONFLICT: 409,
  CASE_NOT_RESOLVED: 409,
  STORED_CASE_INVALID: 409,
};

/** The shortest override reason accepted: a sentence, not a shrug. */
export const MIN_OVERRIDE_REASON = 10;

/** SQL for the declared province of a stored request, whatever its kind. */
const PROVINCE_SQL = `coalesce(request->'person'->>'provinceCode', request->'birthCertificate'->>'registrationProvinceCode')`;

export class ConsoleReviewAdapter implements ConsoleReviewPort {
  constructor(
    private readonly knex: Knex,
    private readonly review: ReviewResolver,
  ) {}

  async list(f: QueueFilter): Promise<Queue> {
    const q = this.knex<ReviewCaseRow>('bridge.review_cases')
      .select('*', this.knex.raw(`${PROVINCE_SQL} as province_code`))
      .orderBy('opened_at', 'asc')
      .limit(Math.min(f.limit ?? 200, 1000));
    const status = f.status ?? 'open';
    if (status !== 'all') q.where({ status });
    if (f.kind) q.where({ kind: f.kind });
    if (f.reasonCode) q.whereRaw('? = any(reason_codes)', [f.reasonCode]);
    if (f.provinceCode) q.whereRaw(`${PROVINCE_SQL} = ?`, [f.provinceCode]);
    if (f.minAgeHours !== undefined && f.minAgeHours > 0)
      q.whereRaw(`opened_at <= now() - make_interval(secs => ?)`, [f.minAgeHours * 3600]);
    const rows = (await q) as (ReviewCaseRow & { province_code: string | null })[];
    const stats = (await this.knex('bridge.review_cases')
      .where({ status: 'open' })
      .groupBy('kind')
      .select(
        'kind',
        this.knex.raw('count(*)::int as n'),
        this.knex.raw('extract(epoch from now() - min(opened_at))::float as age'),
      )) as { kind: string; n: number; age: number }[];
    const openByKind = Object.fromEntries(stats.map((s) => [s.kind, s.n]));
    const oldestOpenAgeSeconds = stats.length > 0 ? Math.max(...stats.map((s) => s.age)) : null;
    return { cases: rows.map((r) => summary(r, r.province_code)), oldestOpenAgeSeconds, openByKind };
  }

  async show(caseId: string): Promise<CaseDetail | null> {
    const c = await getReviewCase(this.knex, caseId);
    if (!c) return null;
    const heads = new Map<string, string | null>();
    const headOf = async (householdCode: string | null): Promise<string | null> => {
      if (!householdCode) return null;
      if (!heads.has(householdCode)) {
        const members = await listHouseholdMembers(this.knex, householdCode);
        heads.set(householdCode, members.find((m) => isHead(m.relationToHead))?.fullName ?? null);
      }
      return heads.get(householdCode) ?? null;
    };
    const declaration = declared(c.kind, c.request);
    declaration.householdHead = await headOf(declaration.householdCode);
    const candidates = [];
    for (const cand of c.candidates) {
      const m = await getMember(this.knex, cand.memberId);
      candidates.push({
        memberId: cand.memberId,
        score: cand.score,
        evidence: Array.isArray(cand.evidence)
          ? (cand.evidence as CaseDetail['candidates'][0]['evidence'])
          : [],
        member: m ? memberView(m, await headOf(m.householdCode)) : null,
      });
    }
    return {
      ...summary(c, declaration.provinceCode),
      subjectId: c.subject_id,
      declaration,
      candidates,
      context: context(c.request),
      resolutionMemberId: c.resolution_member_id,
      note: c.note,
    };
  }

  async resolve(caseId: string, action: ConsoleAction, operator: OperatorIdentity): Promise<ResolveResult> {
    if (!can.resolve(operator.role))
      throw new ReviewRefusal(403, 'ROLE_CANNOT_RESOLVE', `role ${operator.role} cannot resolve cases`);
    const c = await getReviewCase(this.knex, caseId);
    if (!c) throw new ReviewRefusal(404, 'CASE_NOT_FOUND', `review case ${caseId} not found`);
    if (c.status !== 'open')
      throw new ReviewRefusal(409, 'CASE_RESOLVED', `review case ${caseId} is already resolved`);
    let override = false;
    let note = action.note?.trim() || null;
    if (action.kind === 'member') {
      const isCandidate = c.candidates.some((x) => x.memberId === action.memberId);
      if (!isCandidate) {
        if (!action.override)
          throw new ReviewRefusal(
            403,
            'NOT_A_CANDIDATE',
            `member ${action.memberId} is not among the case's candidates`,
          );
        if (!can.override(operator.role))
          throw new ReviewRefusal(403, 'ROLE_CANNOT_OVERRIDE', `role ${operator.role} cannot override`);
        const reason = action.override.reason.trim();
        if (reason.length < MIN_OVERRIDE_REASON)
          throw new ReviewRefusal(
            400,
            'OVERRIDE_REASON_REQUIRED',
            `an override needs a written reason (at least ${MIN_OVERRIDE_REASON} characters)`,
          );
        if (!(await getMember(this.knex, action.memberId)))
          throw new ReviewRefusal(404, 'MEMBER_NOT_FOUND', `member ${action.memberId} not found in HGD`);
        override = true;
        note = `override: ${reason}${note ? ` | ${note}` : ''}`;
      }
    }
    let after;
    try {
      after = await this.review.resolve(
        caseId,
        action.kind === 'member'
          ? {
              kind: 'member',
              memberId: action.memberId,
              note,
              ...(override && action.override ? { override: { reason: action.override.reason.trim() } } : {}),
            }
          : { kind: 'no_match', note },
        { id: operator.id, role: operator.role },
      );
    } catch (e) {
      if (e instanceof ReviewRefused)
        throw new ReviewRefusal(REFUSAL_STATUS[e.refusal], e.refusal, e.message);
      throw e;
    }
    return {
      caseId: after.caseId,
      resolution: after.resolution ?? action.kind,
      memberId: after.resolutionMemberId,
      resolvedBy: after.resolvedBy ?? operator.id,
      override,
    };
  }

  async reopen(caseId: string, reason: string, operator: OperatorIdentity): Promise<{ caseId: string }> {
    try {
      const after = await this.review.reopen(caseId, { id: operator.id, role: operator.role }, reason);
      return { caseId: after.caseId };
    } catch (e) {
      if (e instanceof ReviewRefused)
        throw new ReviewRefusal(REFUSAL_STATUS[e.refusal], e.refusal, e.message);
      throw e;
    }
  }
}

function summary(r: ReviewCaseRow, provinceCode: string | null): CaseSummary {
  const opened = new Date(r.opened_at);
  return {
    caseId: r.case_id,
    kind: r.kind,
    status: r.status,
    reasonCodes: r.reason_codes,
    provinceCode,
    openedAt: opened.toISOString(),
    ageSeconds: Math.max(0, Math.round((Date.now() - opened.getTime()) / 1000)),
    candidateCount: r.candidates.length,
    bestScore: r.candidates.length > 0 ? Math.max(...r.candidates.map((c) => c.score)) : null,
    resolution: r.resolution,
    resolvedBy: r.resolved_by,
  };
}

const isHead = (relation: string | null) =>
  !!relation && /^(chủ hộ|chu ho|head)$/i.test(relation.trim().replace(/[_\s]+/g, ' '));

function gender(g: unknown): 'M' | 'F' | null {
  return g === 'MALE' || g === 'M' ? 'M' : g === 'FEMALE' || g === 'F' ? 'F' : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

/** The declaration of a stored request, for each kind of review case. */
export function declared(kind: string, request: unknown): PersonView {
  const r = obj(request);
  const empty: PersonView = {
    fullName: null,
    dob: null,
    dobPrecision: null,
    gender: null,
    idNumber: null,
    bhxhCode: null,
    householdCode: null,
    householdHead: null,
    relationToHead: null,
    fatherName: null,
    motherName: null,
    provinceCode: null,
    provinceCode2025: null,
    wardCode: null,
  };
  let p: PersonView;
  if (kind === 'CHILD_REGISTRATION') {
    const child = obj(r.child);
    const cert = obj(r.birthCertificate);
    p = {
      ...empty,
      fullName: str(child.fullName),
      dob: str(child.dateOfBirth),
      dobPrecision: 'DAY',
      gender: gender(child.gender),
      idNumber: str(child.personalIdNumber) ?? str(child.idCardNumber),
      bhxhCode: str(child.bhxhCode),
      householdCode: str(obj(r.parent).householdCode),
      fatherName: str(cert.fatherName),
      motherName: str(cert.motherName),
      provinceCode: str(cert.registrationProvinceCode),
    };
  } else {
    const person = obj(r.person);
    const dob = person.dateOfBirth;
    p = {
      ...empty,
      fullName: str(person.fullName),
      dob: typeof dob === 'string' ? dob : str(obj(dob).value),
      dobPrecision: typeof dob === 'string' ? 'DAY' : str(obj(dob).precision),
      gender: gender(person.gender),
      idNumber: str(person.idNumber) ?? str(obj(r.idDocument).number),
      bhxhCode: str(person.bhxhCode),
      fatherName: str(person.fatherName),
      motherName: str(person.motherName),
      provinceCode: str(person.provinceCode),
      wardCode: str(person.wardCode),
    };
  }
  p.provinceCode2025 = currentProvinceCode(p.provinceCode);
  return p;
}

export function memberView(m: MemberRecord, head: string | null): PersonView {
  return {
    fullName: m.fullName,
    dob: m.dob,
    dobPrecision: m.dobPrecision ? m.dobPrecision.toUpperCase() : null,
    gender: m.gender,
    idNumber: m.idNumber,
    bhxhCode: m.bhxhCode,
    householdCode: m.householdCode,
    householdHead: head,
    relationToHead: m.relationToHead,
    fatherName: m.fatherName,
    motherName: m.motherName,
    provinceCode: m.provinceCode,
    provinceCode2025: currentProvinceCode(m.provinceCode),
    wardCode: m.wardCode,
  };
}

/** Non-identifying context of the request; `bqpCode` is personal data (masked for viewers by the page). */
function context(request: unknown): Record<string, string> {
  const r = obj(request);
  const out: Record<string, string> = {};
  const unit = obj(r.bqpUnit);
  if (str(unit.unitCode))
    out.bqpUnit = `${String(unit.unitCode)}${str(unit.unitName) ? ` ${String(unit.unitName)}` : ''}`;
  if (str(r.staffRelation)) out.staffRelation = String(r.staffRelation);
  if (str(r.bqpCode)) out.bqpCode = String(r.bqpCode);
  if (str(r.relationship)) out.relationship = String(r.relationship);
  return out;
}
