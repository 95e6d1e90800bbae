// Where a technician's own text ends in a reply: the quoted mail below (or between) their lines
// and the signature. Tags are read, and text relayed, only above these (see tags.models.ts).
// Pure: line arrays in, indexes out.
import EmailReplyParser from 'email-reply-parser';

const MAX_HEADER_LINE = 500; // attribution lines are short; never run the header regexes on huge lines

// "On … wrote:", "Den … skrev Eva <e>:", "tir. 3. mar. 2026 kl. 10:15 skrev …:", "Op … schreef …:",
// "Am … schrieb …:", "Le … a écrit :". The verb alone is too common, so a date digit or an
// address must be on the line too.
const ATTRIBUTION = /(?:^|\s)(?:wrote|skrev|schreef|schrieb|a écrit|écrit)(?:\s.*)?:\s*$/i;
const ATTRIBUTION_OPENER = /^(on|den|op|am|le)\s/i;
// Outlook's block: "From:/Från:/Fra:/Van:/Von:/De:" followed by "Sent:/Skickat:/Sendt:/Verzonden:/…".
const OUTLOOK_FROM = /^\*?(from|från|fra|van|von|de|afzender)\s*:\*?\s*\S/i;
const OUTLOOK_NEXT = /^\*?(sent|date|to|skickat|datum|till|sendt|dato|til|verzonden|aan|gesendet|an|envoyé|à)\s*:/i;
const ORIGINAL_SEPARATOR =
  /^-{2,}\s*(original message|forwarded message|ursprungligt meddelande|vidarebefordrat meddelande|opprinnelig melding|videresendt melding|oprindelig meddelelse|oorspronkelijk bericht|doorgestuurd bericht|ursprüngliche nachricht|weitergeleitete nachricht|message d'origine|message transféré)\s*-{2,}$/i;
const FORWARD_OPENER = /^(begin forwarded message|början på vidarebefordrat meddelande|start på videresendt melding|begin doorgestuurd bericht)\s*:\s*$/i;

function isAttribution(line: string): boolean {
  return ATTRIBUTION.test(line) && (/\d/.test(line) || line.includes('@'));
}

// email-reply-parser knows more clients and languages than our list; ask it about one line by
// putting a blank line above it, which is how it recognises a quote header.
function libraryCallsQuoteHeader(line: string): boolean {
  if (line.length > MAX_HEADER_LINE || line.trim() === '' || /^\s*#/.test(line)) return false;
  return new EmailReplyParser()
    .read(`\n${line}`)
    .getFragments()
    .some((fragment) => fragment.isQuoted());
}

function nextNonBlank(lines: readonly string[], from: number): number {
  let index = from;
  while (index < lines.length && (lines[index] ?? '').trim() === '') index += 1;
  return index;
}

function isOutlookHeaderBlock(lines: readonly string[], index: number): boolean {
  if (!OUTLOOK_FROM.test((lines[index] ?? '').trim())) return false;
  for (let next = index + 1; next <= index + 4 && next < lines.length; next += 1) {
    if (OUTLOOK_NEXT.test((lines[next] ?? '').trim())) return true;
  }
  return false;
}

interface QuotedRegion {
  /** index of the first line of quoted material that is not `>`-prefixed; lines.length if none */
  end: number;
  /** attribution lines above `>`-quoted blocks: dropped, but the reading goes on below them */
  headerLines: Set<number>;
}

/** Length of the quote header starting at `index` (1 or 2 lines), 0 when there is none. */
function attributionLength(lines: readonly string[], index: number, askLibrary: boolean): number {
  const line = (lines[index] ?? '').trim();
  if (line.length > MAX_HEADER_LINE) return 0;
  if (isAttribution(line) || FORWARD_OPENER.test(line)) return 1;
  // Gmail wraps long attributions: "On Wed, 4 Mar 2026 at 10:15, Eva Svensson <" / "eva@acme.se> wrote:".
  const following = (lines[index + 1] ?? '').trim();
  if (ATTRIBUTION_OPENER.test(line) && /\d/.test(line) && !line.endsWith(':') && isAttribution(`${line} ${following}`)) return 2;
  return askLibrary && libraryCallsQuoteHeader(line) ? 1 : 0;
}

/**
 * Where the quoted material is. A header followed by `>` lines starts a prefixed quote: the
 * technician may answer between the quoted lines (inline replies), so only the header and the
 * `>` lines are dropped. A header followed by unprefixed text (Outlook, forwards) starts a quote
 * that runs to the end, because nothing marks where the technician's text would resume.
 */
export function findQuotedRegion(lines: readonly string[], options: { askLibrary?: boolean } = {}): QuotedRegion {
  // The library is asked about every line our own patterns do not settle: thorough, and the
  // costliest part of reading a mail. Callers that only need a sample of the sender's words
  // (language detection) leave it out.
  const askLibrary = options.askLibrary ?? true;
  const headerLines = new Set<number>();
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    if (line === '' || line.startsWith('>')) continue;
    if (ORIGINAL_SEPARATOR.test(line) || isOutlookHeaderBlock(lines, index)) return { end: index, headerLines };
    if (/^_{10,}$/.test(line) && isOutlookHeaderBlock(lines, nextNonBlank(lines, index + 1))) return { end: index, headerLines };
    const length = attributionLength(lines, index, askLibrary);
    if (length === 0) continue;
    const next = lines[nextNonBlank(lines, index + length)];
    if (next === undefined || !next.trimStart().startsWith('>')) return { end: index, headerLines };
    for (let offset = 0; offset < length; offset += 1) headerLines.add(index + offset);
    index += length - 1;
  }
  return { end: lines.length, headerLines };
}

// The conventional signature delimiter ("-- ", also typed as "--" or "__"). Only below it is a
// `#word` taken for a signature hashtag: leniency after a mere sign-off ("Thanks!") would let a
// typo such as `#tiem 30m` slip through to the customer and lose the time.
const SIGNATURE_DELIMITER = /^\s*(-{2,4}|_{2,4})\s*$/;

/** Index of the signature delimiter line before `end`; `end` if none. */
export function signatureStart(lines: readonly string[], end: number): number {
  for (let index = 0; index < end; index += 1) {
    if (SIGNATURE_DELIMITER.test(lines[index] ?? '')) return index;
  }
  return end;
}
