// Typed errors of the billing engine. A technician's reply and `billing quote` both need the
// plan's priced roles to say what would have worked, so the error carries them as data.
import { HelpdeskError } from '../shared/errors.ts';

/**
 * A `#time` tag (or `billing quote --role`) named a role the plan has no rate for. Refused as a
 * whole: nothing of the entry is priced or stored.
 */
export class UnknownRateRoleError extends HelpdeskError {
  readonly role: string;
  readonly planKey: string;
  /** the roles the plan prices, `default` first */
  readonly roles: readonly string[];

  constructor(role: string, planKey: string, roles: readonly string[]) {
    super('billing.unknown_role', `plan "${planKey}" has no rate for role "${role}" (roles: ${roles.join(', ')})`);
    this.name = 'UnknownRateRoleError';
    this.role = role;
    this.planKey = planKey;
    this.roles = roles;
  }
}

export function isUnknownRateRoleError(value: unknown): value is UnknownRateRoleError {
  return value instanceof UnknownRateRoleError;
}
