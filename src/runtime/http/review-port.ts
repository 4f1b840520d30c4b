/**
 * What the operator console needs from review, in the console's own terms. Today an adapter over ReviewService
 * and HGD reads implements it (connectors/db/console-review.ts); the review flow can implement it later.
 */
import type { FieldEvidence } from '../../matching/types.js';
import type { OperatorIdentity } from './auth/identity.js';

/** A person as the console shows them: the declaration, or an HGD member record. */
export interface PersonView {
  fullName: string | null;
  dob: string | null;
  /** DAY | MONTH | YEAR | UNKNOWN */
  dobPrecision: string | null;
  gender: 'M' | 'F' | null;
  idNumber: string | null;
  bhxhCode: string | null;
  householdCode: string | null;
  householdHead: string | null;
  relationToHead: string | null;
  fatherName: string | null;
  motherName: string | null;
  /** As recorded (old or 2025 list) … */
  provinceCode: string | null;
  /** … and the same province on the 2025 list. */
  provinceCode2025: string | null;
  wardCode: string | null;
}

export type PersonField = keyof PersonView;

export interface CaseSummary {
  caseId: string;
  kind: string;
  status: 'open' | 'resolved';
  reasonCodes: string[];
  provinceCode: string | null;
  openedAt: string;
  ageSeconds: number;
  candidateCount: number;
  bestScore: number | null;
  resolution: string | null;
  resolvedBy: string | null;
}

export interface CandidateView {
  memberId: string;
  score: number;
  evidence: FieldEvidence[];
  /** Null when the member is no longer in HGD. */
  member: PersonView | null;
}

export interface CaseDetail extends CaseSummary {
  subjectId: string;
  declaration: PersonView;
  candidates: CandidateView[];
  /** Non-personal context of the request (BQP unit, relation to staff …). */
  context: Record<string, string>;
  resolutionMemberId: string | null;
  note: string | null;
}

export interface QueueFilter {
  status?: 'open' | 'resolved' | 'all';
  kind?: string;
  reasonCode?: string;
  provinceCode?: string;
  /** Only cases open at least this many hours. */
  minAgeHours?: number;
  limit?: number;
}

export interface Queue {
  cases: CaseSummary[];
  /** Over all open cases, not just those listed. */
  oldestOpenAgeSeconds: number | null;
  openByKind: Record<string, number>;
}

export type ConsoleAction =
  | { kind: 'member'; memberId: string; note: string | null; override?: { reason: string } }
  | { kind: 'no_match'; note: string | null };

export interface ResolveResult {
  caseId: string;
  resolution: string;
  memberId: string | null;
  resolvedBy: string;
  override: boolean;
}

export interface ConsoleReviewPort {
  list(filter: QueueFilter): Promise<Queue>;
  show(caseId: string): Promise<CaseDetail | null>;
  /** The operator comes from the credential; the adapter checks the role again (defence in depth). */
  resolve(caseId: string, action: ConsoleAction, operator: OperatorIdentity): Promise<ResolveResult>;
  /** Supervisors: opens a resolved case again, with a written reason. */
  reopen(caseId: string, reason: string, operator: OperatorIdentity): Promise<{ caseId: string }>;
}

/** A refused resolution: the HTTP status and a stable code; the message holds no personal data. */
export class ReviewRefusal extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReviewRefusal';
  }
}
