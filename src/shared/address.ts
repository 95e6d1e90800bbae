// Address identity, the one implementation for routing, loop safety, reply tokens and the
// contracts file: display names and case never matter, and plus-addressing of a sender does not
// change who it is (docs/domain.md, "Address identity").

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

/**
 * Local part and domain of a bare address, split at the last `@` (a quoted local part may
 * contain `@`, a domain never does); null when there is no `@`.
 */
export function splitAddress(bare: string): { localPart: string; domain: string } | null {
  const at = bare.lastIndexOf('@');
  if (at === -1) return null;
  return { localPart: bare.slice(0, at), domain: bare.slice(at + 1) };
}

/**
 * `eva+printer` → mailbox `eva`, tag `printer`; `eva` → tag null. A local part that starts with
 * `+` (`+46701234567@sms.example`) has no mailbox before the tag: keeping it whole is safer than
 * inventing `@sms.example`, so it has no tag.
 */
export function splitPlusTag(localPart: string): { mailbox: string; tag: string | null } {
  const plus = localPart.indexOf('+');
  if (plus <= 0) return { mailbox: localPart, tag: null };
  return { mailbox: localPart.slice(0, plus), tag: localPart.slice(plus + 1) };
}

/** The mailbox an address denotes: bare, lower-case, without `+tag` in the local part. */
export function normalizeAddress(addr: string): string {
  const bare = bareAddress(addr);
  const parts = splitAddress(bare);
  if (parts === null) return bare;
  return `${splitPlusTag(parts.localPart).mailbox}@${parts.domain}`;
}

/** Lower-case domain of an address; null when there is no `@` or nothing after it. */
export function domainOf(addr: string): string | null {
  const parts = splitAddress(bareAddress(addr));
  if (parts === null || parts.domain === '') return null;
  return parts.domain;
}

/** Lower-case local part without `+tag`; null when there is no `@`. */
export function localPartOf(addr: string): string | null {
  const parts = splitAddress(normalizeAddress(addr));
  return parts === null ? null : parts.localPart;
}

/** The lower-case `+tag` of an address (`eva+Printer@acme.se` → `printer`); null when it has none. */
export function plusTagOf(addr: string): string | null {
  const parts = splitAddress(bareAddress(addr));
  return parts === null ? null : splitPlusTag(parts.localPart).tag;
}

/** True when both denote the same mailbox (display name, case and `+tag` ignored). */
export function isSameMailbox(a: string, b: string): boolean {
  const left = normalizeAddress(a);
  return left !== '' && left.includes('@') && left === normalizeAddress(b);
}
