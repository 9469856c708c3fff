/**
 * Accumulates the checks of one signer and derives the ETSI EN 319 102-1 indication: a
 * TOTAL-FAILED outcome beats INDETERMINATE; among equals the earlier check in CHECK_ORDER wins.
 */
import type { CheckId, Indication, SubIndication, ValidationCheck } from '../types.ts';

export const CHECK_ORDER: readonly CheckId[] = [
  'format',
  'content-type',
  'signing-time',
  'algorithms',
  'signing-certificate',
  'message-digest',
  'signature',
  'chain',
  'timestamp',
  'validity',
  'key-usage',
  'revocation',
];

interface Recorded {
  check: ValidationCheck;
  outcome?: { indication: Exclude<Indication, 'TOTAL-PASSED'>; subIndication: SubIndication };
}

export interface ReportBuilder {
  pass(id: CheckId, message?: string): void;
  /** TOTAL-FAILED -> status `failed`; INDETERMINATE -> status `indeterminate`. */
  fail(id: CheckId, indication: Exclude<Indication, 'TOTAL-PASSED'>, subIndication: SubIndication, message: string): void;
  skip(id: CheckId, message: string): void;
  warn(message: string): void;
  has(id: CheckId): boolean;
  /** True when some check already ended in an outcome. */
  failed(id: CheckId): boolean;
  finish(): {
    indication: Indication;
    subIndication: SubIndication | null;
    checks: ValidationCheck[];
    errors: string[];
    warnings: string[];
  };
}

export function createReportBuilder(): ReportBuilder {
  const recorded = new Map<CheckId, Recorded>();
  const warnings: string[] = [];
  return {
    pass(id, message) {
      recorded.set(id, { check: { id, status: 'passed', ...(message === undefined ? {} : { message }) } });
    },
    fail(id, indication, subIndication, message) {
      const existing = recorded.get(id);
      // The first failure of a check is the one reported; later ones are consequences.
      if (existing?.outcome !== undefined) return;
      recorded.set(id, {
        check: { id, status: indication === 'TOTAL-FAILED' ? 'failed' : 'indeterminate', message },
        outcome: { indication, subIndication },
      });
    },
    skip(id, message) {
      recorded.set(id, { check: { id, status: 'not-checked', message } });
    },
    warn(message) {
      if (!warnings.includes(message)) warnings.push(message);
    },
    has(id) {
      return recorded.has(id);
    },
    failed(id) {
      return recorded.get(id)?.outcome !== undefined;
    },
    finish() {
      const checks: ValidationCheck[] = [];
      const errors: string[] = [];
      let worst: Recorded['outcome'];
      for (const id of CHECK_ORDER) {
        const r = recorded.get(id);
        if (r === undefined) {
          checks.push({ id, status: 'not-checked' });
          continue;
        }
        checks.push(r.check);
        if (r.outcome === undefined) continue;
        if (r.check.message !== undefined) errors.push(r.check.message);
        if (worst === undefined || (worst.indication === 'INDETERMINATE' && r.outcome.indication === 'TOTAL-FAILED')) worst = r.outcome;
      }
      return {
        indication: worst?.indication ?? 'TOTAL-PASSED',
        subIndication: worst?.subIndication ?? null,
        checks,
        errors,
        warnings: [...warnings],
      };
    },
  };
}
