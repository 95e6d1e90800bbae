// Address identity for routing, loop safety and trust. DOMAIN.md: display names and case never
// matter, and plus-addressing of the sender does not change who it is.

/**
 * The bare address of `Name <a@b>`, `"Svensson, Eva" <a@b>`, `a@b (comment)` or `mailto:a@b`,
 * trimmed and lower-cased, with the `+tag` KEPT. Reply tokens live in the tag, so token parsing
 * needs this form rather than {@link normalizeAddress}.
 */
export function bareAddress(addr: string): string {
  let value = addr.trim();
  // The last <…> holds the address; a display name may itself contain "<" only when quoted,
  // and then the real address still comes last.
  const open = value.lastIndexOf('<');
  const close = value.lastIndexOf('>');
  if (open !== -1 && close > open) {
    value = value.slice(open + 1, close);
  } else {
    // Old RFC 822 comment form: a@b (Eva Svensson)
    value = value.replace(/\([^()]*\)/g, '');
  }
  value = value.trim().replace(/^mailto:/i, '').toLowerCase();
  // A fully qualified domain may end in a dot (`acme.se.`); it is the same domain.
  return value.replace(/\.+$/, '');
}

/** The mailbox an address denotes: bare, lower-case, without `+tag` in the local part. */
export function normalizeAddress(addr: string): string {
  const bare = bareAddress(addr);
  const at = bare.lastIndexOf('@');
  if (at === -1) return bare;
  const local = bare.slice(0, at);
  const domain = bare.slice(at + 1);
  const plus = local.indexOf('+');
  // `+tag@x` has no mailbox before the tag; keeping it whole is safer than inventing `@x`.
  const mailbox = plus > 0 ? local.slice(0, plus) : local;
  return `${mailbox}@${domain}`;
}

/** Lower-case domain of an address; null when there is no `@` or nothing after it. */
export function domainOf(addr: string): string | null {
  const bare = bareAddress(addr);
  const at = bare.lastIndexOf('@');
  if (at === -1 || at === bare.length - 1) return null;
  return bare.slice(at + 1);
}

/** Lower-case local part without `+tag`; null when there is no `@`. */
export function localPartOf(addr: string): string | null {
  const normalized = normalizeAddress(addr);
  const at = normalized.lastIndexOf('@');
  if (at === -1) return null;
  return normalized.slice(0, at);
}

/** True when both denote the same mailbox (display name, case and `+tag` ignored). */
export function isSameMailbox(a: string, b: string): boolean {
  const left = normalizeAddress(a);
  return left !== '' && left.includes('@') && left === normalizeAddress(b);
}
