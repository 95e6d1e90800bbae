// First guess at what a new ticket is, from the customer's own words and mail headers: an
// incident (something is broken: fault calendar, fault targets) or a request, and a priority.
// Deliberately a short word list rather than anything clever, so that a technician can tell a
// customer exactly why their mail was filed the way it was, and correct it with `#priority`.
import type { Priority, TicketKind } from '../contracts/contracts.types.ts';

export interface ClassifyInput {
  subject: string;
  text: string;
  headers: { xPriority?: string; importance?: string; priority?: string };
}

export interface Classification {
  kind: TicketKind;
  priority: Priority;
}

/**
 * Words that mean "something is broken", en/sv/nb/nl, matched as whole words, any case.
 * "urgent" is left out on purpose: customers put it on ordinary requests too, and a word that
 * everyone uses would stop meaning anything; the mail client's priority flag is the signal.
 */
const INCIDENT_WORDS: readonly string[] = [
  // en
  'down', 'outage', 'not working', 'does not work', "doesn't work", 'broken',
  // sv
  'nere', 'driftstopp', 'avbrott', 'fungerar inte', 'funkar inte', 'störning', 'störningar',
  // nb
  'nede', 'driftsstans', 'feil', 'fungerer ikke', 'virker ikke', 'brudd',
  // nl
  'storing', 'storingen', 'defect', 'werkt niet', 'uitval', 'plat',
];

/** "Everything is down" words (a subset of the above): such a ticket is at least P2. */
const OUTAGE_WORDS: readonly string[] = ['down', 'outage', 'nere', 'driftstopp', 'nede', 'driftsstans', 'storing', 'storingen'];

function wordPattern(words: readonly string[]): RegExp {
  const alternatives = words.map((word) =>
    word
      .split(/\s+/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace("'", "['’]"))
      .join('\\s+'),
  );
  // letters/digits on either side would make it part of a longer word ("download", "feilfri")
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

const INCIDENT_PATTERN = wordPattern(INCIDENT_WORDS);
const OUTAGE_PATTERN = wordPattern(OUTAGE_WORDS);

const RANK: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };
const BY_RANK: readonly Priority[] = ['P1', 'P1', 'P2', 'P3', 'P4'];

function higher(a: Priority, b: Priority): Priority {
  return RANK[a] <= RANK[b] ? a : b;
}

function oneStepUp(priority: Priority): Priority {
  return BY_RANK[RANK[priority] - 1] ?? priority;
}

/**
 * What the sender's mail client says. X-Priority is "1".."5", often with a comment
 * ("1 (Highest)"); Importance is high/normal/low (Outlook); Priority is urgent/normal/non-urgent
 * (RFC 2156). A low flag is ignored: the contract's default is the floor a customer gets.
 */
function headerUrgency(headers: ClassifyInput['headers']): 'highest' | 'high' | null {
  const xPriority = /^\s*(\d)/.exec(headers.xPriority ?? '')?.[1];
  if (xPriority === '1') return 'highest';
  if (xPriority === '2') return 'high';
  if (headers.importance?.trim().toLowerCase() === 'high') return 'high';
  if (headers.priority?.trim().toLowerCase() === 'urgent') return 'high';
  return null;
}

/**
 * Classifies a new ticket:
 * - kind: `incident` when the subject or the (unquoted) text contains one of the incident
 *   words, else `request`; headers never change the kind;
 * - priority, starting from the plan's `defaultPriority`: X-Priority 1 → P1; X-Priority 2,
 *   `Importance: high` or `Priority: urgent` → one step higher (P3 → P2); an outage word
 *   ("down", "nere", "nede", "driftstopp", "storing", "outage", …) → at least P2.
 *   Nothing ever lowers the default.
 */
export function classifyTicket(input: ClassifyInput, defaultPriority: Priority): Classification {
  // lines quoted from an earlier mail ("> the server was down last week") are not this report
  const ownText = input.text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('>'))
    .join('\n');
  const words = `${input.subject}\n${ownText}`;
  const kind: TicketKind = INCIDENT_PATTERN.test(words) ? 'incident' : 'request';

  let priority = defaultPriority;
  const urgency = headerUrgency(input.headers);
  if (urgency === 'highest') priority = 'P1';
  else if (urgency === 'high') priority = oneStepUp(priority);
  if (OUTAGE_PATTERN.test(words)) priority = higher(priority, 'P2');
  return { kind, priority };
}
