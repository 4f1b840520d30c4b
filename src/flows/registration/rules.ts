/**
 * Named rules with reason codes and a severity, shared by the registration flows. A rule that is clearly
 * violated rejects; a rule that cannot be settled automatically sends the registration to an operator. Every
 * rule's result (passes included) is kept as evidence on the review case.
 */
import { PermanentError } from '../../domain/errors.js';

export type Severity = 'reject' | 'review';

export interface Finding {
  /** The rule's name, e.g. `child.under18`. */
  rule: string;
  /** Reason code sent to VssID, e.g. CHILD_NOT_UNDER_18. */
  code: string;
  severity: Severity;
  /** For operators and logs; never sent to VssID. */
  detail: string;
}

export interface RuleResult {
  rule: string;
  result: 'pass' | Severity;
  code?: string;
  detail?: string;
}

/** Collects rule results in order; `fail` records a finding, `pass` records that a rule held. */
export class RuleLog {
  readonly results: RuleResult[] = [];

  pass(rule: string, detail?: string): void {
    this.results.push(detail === undefined ? { rule, result: 'pass' } : { rule, result: 'pass', detail });
  }

  fail(rule: string, code: string, severity: Severity, detail: string): void {
    this.results.push({ rule, result: severity, code, detail });
  }

  /**
   * The "HGD record agrees with the declaration" rule from a list of differences: passes when there are none,
   * else fails as HGD_RECORD_MISMATCH, rejecting when any difference is a clear one.
   */
  agreement(memberId: string, differences: { severity: Severity; text: string }[]): void {
    if (differences.length === 0) return this.pass('hgd.agrees');
    const severity: Severity = differences.some((d) => d.severity === 'reject') ? 'reject' : 'review';
    this.fail(
      'hgd.agrees',
      'HGD_RECORD_MISMATCH',
      severity,
      `HGD ${memberId}: ${differences.map((d) => d.text).join(', ')}`,
    );
  }

  findings(): Finding[] {
    return this.results.flatMap((r) =>
      r.result === 'pass'
        ? []
        : [{ rule: r.rule, code: r.code!, severity: r.result, detail: r.detail ?? '' }],
    );
  }

  /** Rejected when any rule is clearly violated; in review when any is uncertain; approved otherwise. */
  verdict(): { outcome: 'approved' } | { outcome: 'rejected' | 'review'; codes: string[] } {
    const f = this.findings();
    const rejects = unique(f.filter((x) => x.severity === 'reject').map((x) => x.code));
    if (rejects.length > 0) return { outcome: 'rejected', codes: rejects };
    const reviews = unique(f.map((x) => x.code));
    if (reviews.length > 0) return { outcome: 'review', codes: reviews };
    return { outcome: 'approved' };
  }
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Whole years from `dob` to `onDate`; a malformed date here is a contract violation (validation lets none through). */
export function safeAge(
  ageOn: (dob: string, on: string) => number,
  dob: string,
  onDate: string,
  field: string,
): number {
  try {
    return ageOn(dob, onDate);
  } catch (e) {
    throw new PermanentError('VALIDATION_FAILED', `${field}: ${(e as Error).message}`, { cause: e });
  }
}
