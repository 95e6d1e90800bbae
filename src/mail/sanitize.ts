// Inbound HTML is never trusted (docs/domain.md, "Trust of technician replies"): it is shown to technicians and may be
// relayed, so scripts, styles, forms, frames, event handlers and remote resources go. Remote
// images are dropped entirely (not just their src): they are tracking pixels more often than not.
// Pure (no I/O); not named *.models.ts because it is an adapter over sanitize-html.
import sanitizeHtml from 'sanitize-html';

const ALLOWED_TAGS = [
  'a', 'b', 'strong', 'i', 'em', 'u', 's', 'strike', 'del', 'ins', 'mark', 'small', 'sub', 'sup',
  'p', 'br', 'hr', 'div', 'span', 'blockquote', 'pre', 'code',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
  'img',
];

const INBOUND_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  // No `style` and no `class`: CSS can load remote resources (url()) and hide text.
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images only from the mail itself (cid:), never from the network.
  allowedSchemesByTag: { img: ['cid'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Runs after the scheme filter, so an img whose src was removed (http:, data:, javascript:)
  // has no src left here and is dropped whole.
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^cid:/i.test(frame.attribs.src ?? ''),
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow' } }),
  },
};

/** Safe HTML for display or relay: basic formatting, http/https/mailto links, cid: images only. */
export function sanitizeInboundHtml(html: string): string {
  return sanitizeHtml(html, INBOUND_OPTIONS);
}

const TEXT_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  disallowedTagsMode: 'discard',
};

// Paragraph-like blocks end with a blank line, the others with a line break.
const PARAGRAPH_END = /<\/(p|h[1-6]|blockquote|pre|table|ul|ol|dl)\s*>/gi;
const LINE_END = /<\/(div|li|tr|dd|dt)\s*>/gi;

/**
 * Plain text from HTML, for mails that come without a text part: line breaks where blocks end,
 * `- ` before list items, entities decoded, no markup at all.
 */
export function htmlToPlain(html: string): string {
  const marked = html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li(\s[^>]*)?>/gi, '- ')
    .replace(PARAGRAPH_END, (match) => `${match}\n\n`)
    .replace(LINE_END, (match) => `${match}\n`)
    .replace(/<\/t[dh]\s*>/gi, (match) => `${match}\t`);
  const text = sanitizeHtml(marked, TEXT_OPTIONS)
    // sanitize-html re-escapes these on output; the text is not HTML any more.
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\u00a0/g, ' ');
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
