// Transitional: the address helpers live in src/shared/address.ts. This re-export only keeps
// src/tickets/intake.usecases.ts compiling until it imports from there; delete it then.
export { bareAddress, domainOf, isSameMailbox, localPartOf, normalizeAddress } from '../shared/address.ts';
