import { describe, expect, it } from 'vitest';
import { htmlToPlain, sanitizeInboundHtml } from '../../src/mail/sanitize.ts';

describe('sanitizeInboundHtml', () => {
  it('keeps basic formatting', () => {
    const html = '<p>Hello <b>Eva</b>, <em>see</em> the list:</p><ul><li>one</li></ul><blockquote>quoted</blockquote><table><tr><td colspan="2">x</td></tr></table>';
    expect(sanitizeInboundHtml(html)).toBe(html);
  });

  it('removes scripts and styles with their content', () => {
    expect(sanitizeInboundHtml('<p>Hi</p><script>alert(1)</script><style>p { display: none }</style>')).toBe('<p>Hi</p>');
  });

  it('removes event handlers, style and class attributes', () => {
    expect(sanitizeInboundHtml('<p onclick="evil()" style="color:red" class="x">Hi</p>')).toBe('<p>Hi</p>');
  });

  it('removes javascript: links but keeps http, https and mailto links, marked nofollow', () => {
    expect(sanitizeInboundHtml('<a href="javascript:alert(1)">bad</a>')).toBe('<a rel="noopener noreferrer nofollow">bad</a>');
    expect(sanitizeInboundHtml('<a href="JaVaScRiPt:alert(1)">bad</a>')).toBe('<a rel="noopener noreferrer nofollow">bad</a>');
    expect(sanitizeInboundHtml('<a href="https://acme.se/x">ok</a>')).toBe('<a href="https://acme.se/x" rel="noopener noreferrer nofollow">ok</a>');
    expect(sanitizeInboundHtml('<a href="mailto:eva@acme.se">mail</a>')).toBe(
      '<a href="mailto:eva@acme.se" rel="noopener noreferrer nofollow">mail</a>',
    );
  });

  it('drops remote and data: images whole but keeps cid: images without their handlers', () => {
    expect(sanitizeInboundHtml('<img src="https://track.example/p.gif" width="1">')).toBe('');
    expect(sanitizeInboundHtml('<img src="http://track.example/p.gif">')).toBe('');
    expect(sanitizeInboundHtml('<img src="data:image/png;base64,AAAA">')).toBe('');
    expect(sanitizeInboundHtml('<img src="cid:logo@acme" alt="logo" onerror="x()">')).toBe('<img src="cid:logo@acme" alt="logo" />');
  });

  it('removes iframes, forms and their controls', () => {
    expect(sanitizeInboundHtml('<iframe src="https://x.example"></iframe><form action="https://x.example"><input name="a"><button>Go</button></form>')).toBe(
      'Go',
    );
  });
});

describe('htmlToPlain', () => {
  it('turns blocks into lines, lists into dashes and decodes entities', () => {
    expect(htmlToPlain('<p>Hello <b>Eva</b>,</p><p>Line 1<br>Line 2 &amp; more &lt;tag&gt;</p><ul><li>one</li><li>two</li></ul>')).toBe(
      'Hello Eva,\n\nLine 1\nLine 2 & more <tag>\n\n- one\n- two',
    );
  });

  it('drops scripts and styles entirely', () => {
    expect(htmlToPlain('<style>p{}</style><p>Hi</p><script>alert(1)</script>')).toBe('Hi');
  });
});
