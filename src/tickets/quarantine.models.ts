// What an operator sees of a quarantined mail without parsing it (it may be unparseable, or too
// large to parse): the raw header block, and the From and Subject read from it. Pure.

/** The header block of a raw mail: everything before the first empty line (at most `limit` bytes). */
export function rawHeaderBlock(raw: Buffer, limit = 64 * 1024): string {
  const head = raw.subarray(0, limit).toString('utf8');
  const end = head.search(/\r?\n\r?\n/);
  return (end >= 0 ? head.slice(0, end) : head).replace(/\r\n/g, '\n');
}

/** RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`) to text; an unknown charset stays as written. */
export function decodeEncodedWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g, (word, charset: string, encoding: string, text: string) => {
    try {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
      return new TextDecoder(charset.split('*')[0]!.toLowerCase()).decode(bytes);
    } catch {
      // An unknown charset (TextDecoder throws RangeError): show the word as it was written.
      return word;
    }
  });
}

/** The first value of a header in a header block (unfolded, encoded words decoded), or null. */
export function headerValue(block: string, name: string): string | null {
  const unfolded = block.replace(/\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return decodeEncodedWords(line.slice(colon + 1).trim());
  }
  return null;
}
