/** Rows of the console's append-only audit (bridge.console_audit). */
import type { AuthMethod, OperatorIdentity } from './identity.js';

export type AuditEvent =
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'case_view'
  | 'resolution'
  | 'override'
  | 'reopen'
  | 'operator_added'
  | 'operator_disabled'
  | 'token_issued';

export interface AuditEntry {
  event: AuditEvent;
  operator?: Pick<OperatorIdentity, 'id' | 'role' | 'method'> | null;
  /** For a failed login: the login tried (an operator's name, never a citizen's data). */
  operatorId?: string | null;
  method?: AuthMethod | null;
  caseId?: string | null;
  outcome?: string | null;
  detail?: Record<string, unknown>;
  remoteAddr?: string | null;
}
