// Realistic inbound helpdesk mail for bench/ingest.ts: deterministic for a given seed (a small
// PRNG, no Math.random), RFC 5322 with CRLF, 5–50 KB of text (quoted history, signatures,
// disclaimers), in sv/nb/nl/en, with a mix of attachments, non-UTF-8 charsets, HTML
// alternatives, auto-replies, replies to earlier mails and a few mails with no usable sender.
import { mulberry32 } from './prng.ts';

export type GeneratedKind = 'new' | 'reply' | 'auto-reply' | 'malformed';
type Lang = 'sv' | 'nb' | 'nl' | 'en';
type Charset = 'utf-8' | 'iso-8859-1' | 'windows-1252';

export interface GeneratedMail {
  raw: Buffer;
  /** Date header and the maildir file's mtime (Dovecot's INTERNALDATE) */
  date: Date;
  kind: GeneratedKind;
  messageId: string | null;
  from: string | null;
  charset: Charset;
  html: boolean;
  attachment: boolean;
}

export interface MailGeneratorOptions {
  count: number;
  /** the suffix isolatedExample() gave the contracts file's domains */
  suffix: string;
  serviceAddress: string;
  seed?: number;
  /** mails are spread over [end - spanMs, end], oldest first */
  end: Date;
  spanMs?: number;
}


interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}

function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (list) => list[Math.floor(next() * list.length)]!,
    chance: (p) => next() < p,
  };
}

// ---------------------------------------------------------------------------------------------
// Text banks

const FIRST: Record<Lang, string[]> = {
  sv: ['Anna', 'Erik', 'Karin', 'Johan', 'Maria', 'Lars', 'Sofia', 'Per', 'Emma', 'Anders', 'Lena', 'Mikael', 'Åsa', 'Björn', 'Ingrid', 'Göran', 'Linnéa', 'Jörgen'],
  nb: ['Ola', 'Kari', 'Per', 'Ingrid', 'Knut', 'Silje', 'Hans', 'Marit', 'Øystein', 'Solveig', 'Bjørn', 'Åse', 'Eirik', 'Hege', 'Torbjørn', 'Line'],
  nl: ['Jan', 'Pieter', 'Sanne', 'Lotte', 'Daan', 'Eva', 'Bram', 'Femke', 'Joost', 'Anouk', 'Ruud', 'Marieke', 'Thijs', 'Ilse', 'Sven', 'Noor'],
  en: ['James', 'Emily', 'Oliver', 'Sophie', 'Daniel', 'Grace', 'Thomas', 'Chloe', 'Henry', 'Lucy', 'George', 'Alice'],
};
const LAST: Record<Lang, string[]> = {
  sv: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Åberg', 'Lindström', 'Bäckström', 'Sjögren'],
  nb: ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Berg', 'Haugen', 'Bakke', 'Sæther', 'Løken', 'Strøm'],
  nl: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'Bos', 'Vos'],
  en: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Walker', 'Hughes', 'Clarke'],
};

const SUBJECTS: Record<Lang, string[]> = {
  sv: [
    'Kassasystemet är nere',
    'Servern är nere sedan i morse',
    'Skrivaren på kontoret fungerar inte',
    'Problem med e-posten i Outlook',
    'VPN går inte att ansluta',
    'Ny användare behöver konto',
    'Fråga om faktura för oktober',
    'Lösenordet har gått ut',
    'Nätverket är nere på lagret',
    'Långsam dator hos ekonomi',
    'Backupen misslyckades i natt',
    'Behörighet till gemensam mapp',
    'Wifi nere i konferensrummet',
    'Telefonväxeln svarar inte',
  ],
  nb: [
    'Kassesystemet er nede',
    'Serveren er nede',
    'Skriveren virker ikke',
    'Problemer med e-post',
    'Får ikke koblet til VPN',
    'Ny ansatt trenger tilgang',
    'Spørsmål om faktura',
    'Passordet er utløpt',
    'Nettet er nede på kontoret i Bergen',
    'Treg PC på lageret',
    'Sikkerhetskopien feilet',
    'Tilgang til felles mappe',
  ],
  nl: [
    'Storing kassasysteem',
    'Server plat: grote storing',
    'Printer werkt niet',
    'Probleem met e-mail',
    'VPN verbinding lukt niet',
    'Nieuwe medewerker heeft account nodig',
    'Vraag over factuur',
    'Wachtwoord verlopen',
    'Storing netwerk magazijn',
    'Trage laptop bij administratie',
    'Back-up mislukt vannacht',
  ],
  en: [
    'Website is down',
    'Mail server down since this morning',
    'Printer not working',
    'Cannot connect to VPN',
    'New starter needs an account',
    'Question about the latest invoice',
    'Password expired',
    'Network down in the warehouse',
    'Laptop very slow',
    'Backup failed last night',
    'Access to shared drive',
  ],
};

const SENTENCES: Record<Lang, string[]> = {
  sv: [
    'Sedan i morse går det inte att logga in i affärssystemet från någon av kassorna.',
    'Vi har startat om routern och datorerna men felet kvarstår.',
    'Det är bråttom eftersom butiken öppnar klockan tio och vi kan inte ta betalt.',
    'Felmeddelandet säger att certifikatet har gått ut, se skärmdumpen nedan.',
    'Kan någon av era tekniker titta på det så snart som möjligt?',
    'Det gäller tre användare på ekonomiavdelningen och en på lagret.',
    'Förra veckan hade vi samma problem och då hjälpte det att rensa cachen.',
    'Jag når er inte på telefon, därför skriver jag här istället.',
    'Skrivaren visar "pappersstopp" trots att det inte finns något papper i den.',
    'Vi behöver också hjälp att lägga upp en ny medarbetare som börjar på måndag.',
    'Tack för snabb hjälp senast, det fungerade bra ett par dagar.',
    'Hör av er om ni behöver fjärråtkomst, jag finns vid datorn hela eftermiddagen.',
    'Nätverket på övervåningen är nere, men nere i källaren fungerar allt som vanligt.',
    'Vår leverantör säger att felet ligger hos er, stämmer det?',
  ],
  nb: [
    'Siden i morges har det ikke vært mulig å logge inn i økonomisystemet.',
    'Vi har startet ruteren på nytt, men feilen er der fortsatt.',
    'Det haster fordi butikken åpner klokken ti og vi får ikke tatt betalt.',
    'Feilmeldingen sier at sertifikatet er utløpt, se skjermbildet under.',
    'Kan en av teknikerne deres se på dette så snart som mulig?',
    'Det gjelder tre brukere på økonomi og én på lageret.',
    'Forrige uke hadde vi samme problem, og da hjalp det å tømme hurtigbufferen.',
    'Jeg får ikke tak i dere på telefon, derfor skriver jeg her.',
    'Nettet er nede i andre etasje, men i kjelleren virker alt som normalt.',
    'Gi beskjed om dere trenger fjerntilgang, jeg sitter ved maskinen hele dagen.',
    'Takk for rask hjelp sist, det fungerte fint i et par dager.',
    'Leverandøren vår sier at feilen ligger hos dere, stemmer det?',
  ],
  nl: [
    'Sinds vanochtend kunnen we niet meer inloggen op het kassasysteem.',
    'We hebben de router al opnieuw opgestart maar de storing blijft.',
    'Het is dringend want de winkel gaat om tien uur open en we kunnen niet afrekenen.',
    'De foutmelding zegt dat het certificaat verlopen is, zie de schermafdruk hieronder.',
    'Kan een van jullie technici hier zo snel mogelijk naar kijken?',
    'Het gaat om drie gebruikers op de administratie en één in het magazijn.',
    'Vorige week hadden we hetzelfde probleem, toen hielp het om de cache te legen.',
    'Ik kan jullie telefonisch niet bereiken, daarom mail ik.',
    'De printer geeft een papierstoring terwijl er geen papier in zit.',
    'Laat maar weten als jullie toegang op afstand nodig hebben.',
    'Bedankt voor de snelle hulp vorige keer, het werkte een paar dagen goed.',
  ],
  en: [
    'Since this morning nobody can log in to the point-of-sale system.',
    'We have restarted the router and the PCs but the problem remains.',
    'This is urgent because the shop opens at ten and we cannot take payments.',
    'The error says the certificate has expired, see the screenshot below.',
    'Could one of your technicians look at this as soon as possible?',
    'It affects three users in accounts and one in the warehouse.',
    'We had the same issue last week and clearing the cache helped then.',
    'I cannot reach you by phone, so I am writing here instead.',
    'The network is down upstairs, but everything works downstairs.',
    'Let me know if you need remote access, I am at my desk all afternoon.',
    'Thanks for the quick help last time, it worked fine for a couple of days.',
  ],
};

const GREETING: Record<Lang, string[]> = {
  sv: ['Hej!', 'Hej,', 'Hej support,', 'God morgon,'],
  nb: ['Hei!', 'Hei,', 'Hei support,', 'God morgen,'],
  nl: ['Hallo,', 'Beste support,', 'Goedemorgen,', 'Hoi,'],
  en: ['Hi,', 'Hello,', 'Dear support,', 'Good morning,'],
};
const SIGNOFF: Record<Lang, string[]> = {
  sv: ['Med vänliga hälsningar', 'Vänliga hälsningar', 'Mvh', 'Tack på förhand'],
  nb: ['Med vennlig hilsen', 'Vennlig hilsen', 'Mvh', 'Takk på forhånd'],
  nl: ['Met vriendelijke groet', 'Groeten', 'Mvg', 'Alvast bedankt'],
  en: ['Kind regards', 'Best regards', 'Thanks', 'Cheers'],
};
const DISCLAIMER: Record<Lang, string> = {
  sv: 'Detta e-postmeddelande och eventuella bilagor är konfidentiella och avsedda endast för adressaten. Om du har fått meddelandet av misstag, vänligen meddela avsändaren och radera det. Tänk på miljön innan du skriver ut detta e-postmeddelande.',
  nb: 'Denne e-posten og eventuelle vedlegg er konfidensielle og kun ment for mottakeren. Har du mottatt den ved en feil, vennligst gi beskjed til avsenderen og slett den. Tenk på miljøet før du skriver ut denne e-posten.',
  nl: 'Dit e-mailbericht en eventuele bijlagen zijn vertrouwelijk en uitsluitend bestemd voor de geadresseerde. Heeft u dit bericht per vergissing ontvangen, meld dit dan aan de afzender en verwijder het. Denk aan het milieu voordat u deze e-mail afdrukt.',
  en: 'This email and any attachments are confidential and intended solely for the addressee. If you received it in error, please notify the sender and delete it. Please consider the environment before printing this email.',
};
const WROTE: Record<Lang, (when: string, who: string) => string> = {
  sv: (when, who) => `Den ${when} skrev ${who}:`,
  nb: (when, who) => `Den ${when} skrev ${who}:`,
  nl: (when, who) => `Op ${when} schreef ${who}:`,
  en: (when, who) => `On ${when}, ${who} wrote:`,
};
const REPLY_PREFIX: Record<Lang, string> = { sv: 'SV: ', nb: 'SV: ', nl: 'Antw: ', en: 'Re: ' };
const AUTO_SUBJECT: Record<Lang, string> = { sv: 'Frånvaro: ', nb: 'Fravær: ', nl: 'Afwezig: ', en: 'Out of Office: ' };
const AUTO_TEXT: Record<Lang, string> = {
  sv: 'Jag är på semester till och med nästa vecka och läser inte min e-post. För brådskande ärenden, kontakta växeln.',
  nb: 'Jeg er på ferie ut neste uke og leser ikke e-post. For hastesaker, ring sentralbordet.',
  nl: 'Ik ben met vakantie tot en met volgende week en lees mijn e-mail niet. Voor dringende zaken kunt u de receptie bellen.',
  en: 'I am on holiday until the end of next week and will not be reading email. For urgent matters please call reception.',
};
const TITLES: Record<Lang, string[]> = {
  sv: ['Ekonomiansvarig', 'Butikschef', 'IT-samordnare', 'Lagerchef', 'Receptionist'],
  nb: ['Økonomiansvarlig', 'Butikksjef', 'IT-koordinator', 'Lagersjef'],
  nl: ['Financieel medewerker', 'Filiaalmanager', 'IT-coördinator', 'Magazijnchef'],
  en: ['Finance manager', 'Store manager', 'IT coordinator', 'Office manager'],
};

// ---------------------------------------------------------------------------------------------
// Senders

interface Sender {
  address: string;
  name: string | null;
  lang: Lang;
  company: string;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, '');
}

function buildSenders(suffix: string, rng: Rng, strangerCount: number) {
  const d = (name: string, tld: string) => `${name}-${suffix}.${tld}`;
  // The example's named contacts: they write often (and so sometimes hit ackLimitPerHour).
  const contacts: Sender[] = [
    { address: `eva@${d('acme', 'se')}`, name: 'Eva Lind', lang: 'sv', company: 'Acme AB' },
    { address: `ops@${d('acme', 'se')}`, name: null, lang: 'sv', company: 'Acme AB' },
    { address: `lars@${d('nordljus', 'se')}`, name: 'Lars Berg', lang: 'sv', company: 'Nordljus AB' },
    { address: `kari@${d('fjord', 'no')}`, name: 'Kari Nilsen', lang: 'nb', company: 'Fjord AS' },
    { address: `daan@${d('molen', 'nl')}`, name: 'Daan de Vries', lang: 'nl', company: 'Molen BV' },
    { address: `it@${d('molen', 'nl')}`, name: null, lang: 'nl', company: 'Molen BV' },
  ];
  const companies: { domain: string; lang: Lang; company: string }[] = [
    { domain: d('acme', 'se'), lang: 'sv', company: 'Acme AB' },
    { domain: d('nordljus', 'se'), lang: 'sv', company: 'Nordljus AB' },
    { domain: d('fjord', 'no'), lang: 'nb', company: 'Fjord AS' },
    { domain: d('molen', 'nl'), lang: 'nl', company: 'Molen BV' },
  ];
  // Every first.last combination at every customer domain: several hundred distinct colleagues.
  const colleagues: Sender[] = [];
  for (const c of companies) {
    for (const first of FIRST[c.lang]) {
      for (const last of LAST[c.lang]) {
        colleagues.push({ address: `${slug(first)}.${slug(last)}@${c.domain}`, name: `${first} ${last}`, lang: c.lang, company: c.company });
      }
    }
  }
  // Shuffle so a skewed index does not favour one domain.
  for (let i = colleagues.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [colleagues[i], colleagues[j]] = [colleagues[j]!, colleagues[i]!];
  }
  const freemail = ['post.test', 'webmail.test', 'bredband.test', 'online.test', 'mailbox.test'];
  const langs: Lang[] = ['sv', 'sv', 'nb', 'nl', 'en'];
  const strangers: Sender[] = [];
  for (let i = 0; i < strangerCount; i++) {
    const lang = rng.pick(langs);
    const first = rng.pick(FIRST[lang]);
    const last = rng.pick(LAST[lang]);
    const companyMail = rng.chance(0.5);
    const domain = companyMail ? `${slug(last)}-${i}.test` : rng.pick(freemail);
    strangers.push({
      address: companyMail ? `${slug(first)}@${domain}` : `${slug(first)}.${slug(last)}${i}@${domain}`,
      name: `${first} ${last}`,
      lang,
      company: companyMail ? `${last} ${lang === 'nl' ? 'BV' : lang === 'nb' ? 'AS' : lang === 'en' ? 'Ltd' : 'AB'}` : '',
    });
  }
  return { contacts, colleagues, strangers };
}

// ---------------------------------------------------------------------------------------------
// Encodings

const CP1252_EXTRA: Record<string, number> = { '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '–': 0x96, '—': 0x97, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '™': 0x99 };

function encodeText(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) out[n++] = code;
    else if (charset === 'windows-1252' && CP1252_EXTRA[ch] !== undefined) out[n++] = CP1252_EXTRA[ch]!;
    else out[n++] = 0x3f; // '?', as a real mail client would
  }
  return out.subarray(0, n);
}

/** Quoted-printable (RFC 2045): CRLF stays a hard break, soft breaks keep lines <= 76. */
function quotedPrintable(bytes: Buffer): string {
  const lines: string[] = [];
  let line = '';
  const flush = (soft: boolean) => {
    lines.push(soft ? `${line}=` : line);
    line = '';
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x0d && bytes[i + 1] === 0x0a) {
      // trailing whitespace before a hard break must be encoded
      const last = line.at(-1);
      if (last === ' ' || last === '\t') line = `${line.slice(0, -1)}=${last === ' ' ? '20' : '09'}`;
      flush(false);
      i++;
      continue;
    }
    const token = (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + token.length > 75) flush(true);
    line += token;
  }
  lines.push(line);
  return lines.join('\r\n');
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** RFC 2047 encoded word when the header has non-ASCII text. */
function encodeHeaderWord(text: string, charset: Charset): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const bytes = encodeText(text, charset);
  if (charset === 'utf-8') return `=?UTF-8?B?${bytes.toString('base64')}?=`;
  let q = '';
  for (const b of bytes) q += (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) ? String.fromCharCode(b) : b === 32 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return `=?${charset.toUpperCase()}?Q?${q}?=`;
}

function formatAddress(sender: { address: string; name: string | null }, charset: Charset): string {
  if (!sender.name) return sender.address;
  const name = /^[\x20-\x7e]*$/.test(sender.name) ? `"${sender.name}"` : encodeHeaderWord(sender.name, charset);
  return `${name} <${sender.address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function rfc5322Date(d: Date): string {
  // written in +0100 (CET), as a Swedish mail client would
  const local = new Date(d.getTime() + 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())} +0100`;
}

function wrap(text: string, width = 72): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bodies

interface Earlier {
  messageId: string;
  subject: string;
  sender: Sender;
  date: Date;
}

function signature(sender: Sender, rng: Rng): string[] {
  const lines = ['-- ', sender.name ?? sender.address];
  if (sender.company) {
    lines.push(rng.pick(TITLES[sender.lang]), sender.company);
    lines.push(`Tel: +46 8 ${rng.int(100, 999)} ${rng.int(10, 99)} ${rng.int(10, 99)}`, `${sender.address}`);
  }
  lines.push('', ...wrap(DISCLAIMER[sender.lang]));
  return lines;
}

function paragraph(lang: Lang, rng: Rng, sentences: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) parts.push(rng.pick(SENTENCES[lang]));
  return wrap(parts.join(' '));
}

/** Plain-text body of about `target` bytes: the message, a signature, then quoted history. */
function textBody(sender: Sender, lang: Lang, rng: Rng, target: number, opening: string[]): string {
  const lines: string[] = [...opening, rng.pick(GREETING[lang]), ''];
  for (let p = rng.int(1, 3); p > 0; p--) lines.push(...paragraph(lang, rng, rng.int(2, 5)), '');
  lines.push(`${rng.pick(SIGNOFF[lang])}`, ...signature(sender, rng), '');
  let size = lines.join('\r\n').length;
  let depth = 1;
  // Quoted history: earlier rounds of the same thread, each quoted one level deeper.
  while (size < target) {
    const when = rfc5322Date(new Date(Date.UTC(2026, rng.int(0, 10), rng.int(1, 28), rng.int(7, 17), rng.int(0, 59))));
    const who = `${rng.pick(FIRST[lang])} ${rng.pick(LAST[lang])}`;
    const q = '>'.repeat(depth) + ' ';
    const block = [WROTE[lang](when, who), ...[rng.pick(GREETING[lang]), '', ...paragraph(lang, rng, rng.int(3, 8)), '', ...paragraph(lang, rng, rng.int(2, 6)), '', rng.pick(SIGNOFF[lang]), who, ...wrap(DISCLAIMER[lang])].map((l) => (q + l).trimEnd()), ''];
    lines.push(...block);
    size += block.join('\r\n').length + 2;
    depth = Math.min(depth + 1, 6);
  }
  return lines.join('\r\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An HTML rendering of the text body, as Outlook would send beside it. */
function htmlBody(text: string): string {
  const out: string[] = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body style="font-family:Calibri,sans-serif">'];
  let depth = 0;
  for (const line of text.split('\r\n')) {
    const level = /^(>+)/.exec(line)?.[1]?.length ?? 0;
    while (depth < level) {
      out.push('<blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">');
      depth++;
    }
    while (depth > level) {
      out.push('</blockquote>');
      depth--;
    }
    const content = line.replace(/^>+ ?/, '');
    out.push(content ? `<p style="margin:0">${escapeHtml(content)}</p>` : '<br>');
  }
  while (depth-- > 0) out.push('</blockquote>');
  out.push('</body></html>');
  return out.join('\r\n');
}

function fakeAttachment(rng: Rng, size: number): { filename: string; contentType: string; bytes: Buffer } {
  const png = rng.chance(0.5);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE(Math.floor(rng.next() * 4_294_967_296), Math.min(i, size - 4));
  const magic = png ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) : Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  magic.copy(bytes, 0);
  return png
    ? { filename: `skarmdump-${rng.int(1000, 9999)}.png`, contentType: 'image/png', bytes }
    : { filename: `faktura-${rng.int(10000, 99999)}.pdf`, contentType: 'application/pdf', bytes };
}

function textPart(text: string, charset: Charset, qp: boolean): string {
  const bytes = encodeText(text, charset);
  // non-UTF-8 mail clients of this kind always use quoted-printable
  const useQp = qp || charset !== 'utf-8';
  return [`Content-Type: text/plain; charset=${charset === 'utf-8' ? 'utf-8' : charset.toUpperCase()}; format=flowed`, `Content-Transfer-Encoding: ${useQp ? 'quoted-printable' : '8bit'}`, '', useQp ? quotedPrintable(bytes) : bytes.toString('latin1')].join('\r\n');
}

function htmlPart(html: string, charset: Charset): string {
  return [`Content-Type: text/html; charset=${charset === 'utf-8' ? 'utf-8' : charset.toUpperCase()}`, 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(encodeText(html.replace('charset=utf-8', `charset=${charset}`), charset))].join('\r\n');
}

function multipart(type: string, boundary: string, parts: string[]): { header: string; body: string } {
  return { header: `${type}; boundary="${boundary}"`, body: ['This is a multi-part message in MIME format.', ...parts.map((p) => `--${boundary}\r\n${p}`), `--${boundary}--`, ''].join('\r\n') };
}

// ---------------------------------------------------------------------------------------------

/** Mails in the order they arrive (oldest first). Bodies are built with `latin1` strings: 1 char = 1 byte. */
export function* generateMails(options: MailGeneratorOptions): Generator<GeneratedMail> {
  const rng = createRng(options.seed ?? 20261122);
  const span = options.spanMs ?? 7 * 86_400_000;
  const endMs = options.end.getTime();
  const { contacts, colleagues, strangers } = buildSenders(options.suffix, rng, Math.max(50, Math.ceil(options.count / 4)));
  // Arrival times: mostly office hours (CET), sorted so UIDs follow time.
  const times: number[] = [];
  while (times.length < options.count) {
    const t = endMs - Math.floor(rng.next() * span);
    const hour = (new Date(t).getUTCHours() + 1) % 24;
    if ((hour < 7 || hour >= 18) && rng.chance(0.75)) continue;
    times.push(t);
  }
  times.sort((a, b) => a - b);

  const earlier: Earlier[] = [];
  const serviceDomain = options.serviceAddress.split('@')[1]!;

  for (let n = 0; n < options.count; n++) {
    const date = new Date(times[n]!);
    const roll = rng.next();
    const kind: GeneratedKind = roll < 0.005 ? 'malformed' : roll < 0.035 ? 'auto-reply' : roll < 0.085 && earlier.length > 0 ? 'reply' : 'new';

    let sender: Sender;
    let replyTo: Earlier | null = null;
    if (kind === 'reply') {
      // Mostly recent threads; the original sender, sometimes a colleague writing in.
      replyTo = earlier[Math.max(0, earlier.length - 1 - Math.floor(rng.next() ** 2 * Math.min(earlier.length, 400)))]!;
      sender = rng.chance(0.8) ? replyTo.sender : rng.pick(colleagues);
    } else {
      const who = rng.next();
      if (who < 0.12) sender = rng.pick(contacts);
      else if (who < 0.8) sender = colleagues[Math.floor(rng.next() ** 1.5 * colleagues.length)]!;
      else sender = rng.pick(strangers);
    }
    const lang = sender.lang;
    const charset: Charset = rng.chance(0.15) ? (rng.chance(0.5) ? 'iso-8859-1' : 'windows-1252') : 'utf-8';
    const withHtml = kind !== 'malformed' && rng.chance(0.1);
    const withAttachment = kind === 'new' || kind === 'reply' ? rng.chance(0.2) : false;
    // text size: log-uniform 5–50 KB (auto-replies stay near the bottom of the range)
    const targetTotal = kind === 'auto-reply' ? rng.int(5_200, 8_000) : Math.round(5_000 * 10 ** rng.next());
    const textTarget = Math.max(2_500, Math.round((withHtml ? targetTotal / 2.6 : targetTotal) - 700));

    const messageId = `<${date.getTime().toString(36)}.${n.toString(36)}.${Math.floor(rng.next() * 1e9).toString(36)}@${sender.address.split('@')[1]}>`;
    let subject: string;
    let opening: string[] = [];
    if (kind === 'reply') subject = REPLY_PREFIX[lang] + replyTo!.subject.replace(/^(SV|Antw|Re): /, '');
    else if (kind === 'auto-reply') {
      subject = AUTO_SUBJECT[lang] + rng.pick(SUBJECTS[lang]);
      opening = [...wrap(AUTO_TEXT[lang]), ''];
    } else subject = rng.pick(SUBJECTS[lang]);
    if (kind === 'new' && rng.chance(0.3)) subject += ` (${rng.pick(['kassa', 'lager', 'kontor', 'butik'])} ${rng.int(1, 40)})`;
    let text = textBody(sender, lang, rng, textTarget, opening);
    if (charset === 'windows-1252') text = text.replace(/"([^"\r\n]{1,40})"/g, '“$1”').replace(/ - /g, ' – ');

    const headers: string[] = [
      `Return-Path: <${sender.address}>`,
      `Received: from mail.${sender.address.split('@')[1]} (mail.${sender.address.split('@')[1]} [192.0.2.${rng.int(1, 254)}])\r\n\tby mx.${serviceDomain} with ESMTPS id ${rng.int(1e8, 9e8).toString(36)}\r\n\tfor <${options.serviceAddress}>; ${rfc5322Date(date)}`,
    ];
    if (kind === 'malformed') {
      // No usable sender: either no From at all, or a display name without an address.
      if (rng.chance(0.5)) headers.push(`From: ${sender.name ?? 'Kundtjanst'}`);
    } else headers.push(`From: ${formatAddress(sender, charset)}`);
    headers.push(`To: ${options.serviceAddress}`);
    if (rng.chance(0.1)) headers.push(`Cc: ${rng.pick(colleagues).address}`);
    headers.push(`Subject: ${encodeHeaderWord(subject, charset)}`, `Date: ${rfc5322Date(date)}`, `Message-ID: ${messageId}`);
    if (replyTo) headers.push(`In-Reply-To: ${replyTo.messageId}`, `References: ${replyTo.messageId}`);
    if (kind === 'auto-reply') {
      headers.push('Auto-Submitted: auto-replied');
      if (rng.chance(0.5)) headers.push('X-Autoreply: yes');
    }
    if (kind === 'new' && rng.chance(0.05)) headers.push('X-Priority: 1 (Highest)', 'Importance: high');
    headers.push('MIME-Version: 1.0', `X-Mailer: ${rng.pick(['Microsoft Outlook 16.0', 'Apple Mail (2.3774)', 'Thunderbird 128.4', 'Roundcube Webmail/1.6'])}`);

    const qp = rng.chance(0.3);
    const b = (tag: string) => `----=_Part_${tag}_${n}_${rng.int(1e6, 9e6)}`;
    let contentType: string;
    let body: string;
    const textOrAlt = (): { header: string; body: string } => {
      if (!withHtml) {
        const [head, ...rest] = textPart(text, charset, qp).split('\r\n\r\n');
        return { header: head!, body: rest.join('\r\n\r\n') };
      }
      const alt = multipart('multipart/alternative', b('alt'), [textPart(text, charset, qp), htmlPart(htmlBody(text), charset)]);
      return { header: `Content-Type: ${alt.header}`, body: alt.body };
    };
    if (withAttachment) {
      const inner = textOrAlt();
      const file = fakeAttachment(rng, rng.int(5_000, 40_000));
      const mixed = multipart('multipart/mixed', b('mixed'), [
        `${inner.header}\r\n\r\n${inner.body}`,
        [`Content-Type: ${file.contentType}; name="${file.filename}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${file.filename}"`, '', base64Lines(file.bytes)].join('\r\n'),
      ]);
      contentType = `Content-Type: ${mixed.header}`;
      body = mixed.body;
    } else {
      const inner = textOrAlt();
      contentType = inner.header;
      body = inner.body;
    }
    headers.push(...contentType.split('\r\n'));
    const raw = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`, 'latin1');

    if (kind === 'new') earlier.push({ messageId, subject, sender, date });
    yield {
      raw,
      date,
      kind,
      messageId,
      from: kind === 'malformed' ? null : sender.address,
      charset,
      html: withHtml,
      attachment: withAttachment,
    };
  }
}
