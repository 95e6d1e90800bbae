// RFC 8601 Authentication-Results: was the sender's domain authenticated by OUR receiving
// server? Only headers stamped with our own authserv-id count: anyone can write such a header
// into a mail before it reaches us, so the others are ignored.

export interface AuthResult {
  method: string;
  result: string;
  properties: Record<string, string>;
}

export interface AuthenticationResults {
  authservId: string;
  results: AuthResult[];
}

/** Drops RFC 5322 comments `( … )`, which may nest, and unfolds whitespace. */
function stripComments(value: string): string {
  let depth = 0;
  let out = '';
  for (const ch of value) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const parts = stripComments(value)
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  const head = parts.shift();
  if (!head) return null;
  const authservId = head.split(' ')[0]!.toLowerCase();
  const results: AuthResult[] = [];
  for (const part of parts) {
    const tokens = part.split(' ').filter(Boolean);
    const first = /^([a-z0-9_-]+)=([a-z0-9_-]+)$/i.exec(tokens[0] ?? '');
    if (!first) continue; // `none` or an unknown shape
    const properties: Record<string, string> = {};
    for (const token of tokens.slice(1)) {
      const prop = /^([a-z0-9_.-]+)=(.+)$/i.exec(token);
      if (prop) properties[prop[1]!.toLowerCase()] = prop[2]!.replace(/^"(.*)"$/, '$1').toLowerCase();
    }
    results.push({ method: first[1]!.toLowerCase(), result: first[2]!.toLowerCase(), properties });
  }
  return { authservId, results };
}

function aligned(domain: string | undefined, fromDomain: string): boolean {
  if (!domain) return false;
  const d = domain.replace(/^@/, '').replace(/^.*@/, '');
  return d === fromDomain || fromDomain.endsWith(`.${d}`);
}

/**
 * True when one of `headerValues` comes from `authservId` and shows `dmarc=pass` for the From
 * domain, or `dkim=pass` with a signing domain (header.d / header.i) aligned with it
 * (equal, or a parent domain: relaxed alignment as DMARC defines it).
 */
export function senderDomainAuthenticated(input: { headerValues: readonly string[]; authservId: string; fromDomain: string }): boolean {
  const fromDomain = input.fromDomain.toLowerCase();
  const ours = input.authservId.toLowerCase();
  for (const value of input.headerValues) {
    const parsed = parseAuthenticationResults(value);
    if (!parsed || parsed.authservId !== ours) continue;
    for (const r of parsed.results) {
      if (r.result !== 'pass') continue;
      if (r.method === 'dmarc' && aligned(r.properties['header.from'], fromDomain)) return true;
      if (r.method === 'dkim' && (aligned(r.properties['header.d'], fromDomain) || aligned(r.properties['header.i'], fromDomain))) return true;
    }
  }
  return false;
}
