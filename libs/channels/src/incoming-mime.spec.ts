import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalLineBreaks, decodedBody, entityOf, outlineOf, parseHeader, partsOf } from './incoming-mime';

const CRLF = '\r\n';
const lines = (...rows: string[]) => Buffer.from(rows.join(CRLF), 'latin1');

/** `levels` multipart/mixed entities, one inside the other, a text part at the bottom. */
function nested(levels: number): Buffer {
  const open: string[] = [];
  const close: string[] = [];
  for (let level = 1; level <= levels; level++) {
    open.push(`Content-Type: multipart/mixed; boundary="b${level}"`, '', `--b${level}`);
    close.unshift(`--b${level}--`);
  }
  return lines(...open, 'Content-Type: text/plain', '', 'bottom', ...close, '');
}

describe('outlineOf', () => {
  it('measures nesting: none for a single part, one level per multipart or embedded message', () => {
    expect(outlineOf(lines('Subject: x', '', 'text'), 8)).toMatchObject({
      depth: 0,
      tooDeep: false,
      hasPlainText: true,
    });
    expect(outlineOf(nested(3), 8)).toMatchObject({ depth: 3, tooDeep: false });
    const embedded = lines(
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: message/rfc822',
      '',
      'Subject: forwarded',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/html',
      '',
      '<p>x</p>',
      '--inner--',
      '--outer--',
    );
    expect(outlineOf(embedded, 8)).toMatchObject({ depth: 3, hasHtml: true, hasPlainText: false });
  });

  it('walks ten thousand levels without recursion, and stops at the bound at once', () => {
    const deep = nested(10_000);
    expect(outlineOf(deep, 20_000)).toMatchObject({ depth: 10_000, tooDeep: false });
    const started = performance.now();
    expect(outlineOf(deep, 8)).toMatchObject({ depth: 9, tooDeep: true });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('finds the nesting as mailparser does where headers or delimiters are unusual', () => {
    // A part with no blank line after its header: the next delimiter ends it.
    const headerOnly = lines(
      'Content-Type: multipart/mixed; boundary=a',
      '',
      '--a',
      'Content-Type: text/plain',
      '--a',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: multipart/mixed; boundary=c',
      '',
      '--c',
      '',
      'x',
    );
    expect(outlineOf(headerOnly, 8).depth).toBe(3);
    // A close delimiter in the preamble closes nothing.
    const preamble = lines(
      'Content-Type: multipart/mixed; boundary=a',
      '',
      '--a--',
      '--a',
      nested(2).toString('latin1'),
    );
    expect(outlineOf(preamble, 8).depth).toBe(3);
    // The colon on a folded line still names the field; padding and stray CRs after a delimiter.
    const folded = lines(
      'Content-Type',
      ' : multipart/mixed; boundary=a',
      '',
      '--a \t\r',
      ...nested(2).toString('latin1').split(CRLF),
    );
    expect(outlineOf(folded, 8).depth).toBe(3);
  });

  it('reports as ambiguous a multipart type written with comments, escapes or RFC 2231 boundaries', () => {
    for (const contentType of [
      'multipart/mixed; boundary=a (comment)',
      '(c)multipart/mixed; boundary=a',
      'multipart/mixed; boundary*0=a; boundary*1=b',
      'multipart/mixed; boundary=a; boundary=b',
      'multipart/mixed; name="x; boundary=evil"; boundary="a"b',
      'multipart/mixed boundary=a',
      'multipart/mixed; boundary="a\\"b"',
    ]) {
      expect(parseHeader(`Content-Type: ${contentType}`).ambiguous, contentType).toBe(true);
      expect(outlineOf(lines(`Content-Type: ${contentType}`, '', 'x'), 8).ambiguous, contentType).toBe(true);
    }
    for (const contentType of [
      'multipart/mixed; boundary="----=_Part_1 x"',
      'multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary=abc',
      "application/pdf; name*=utf-8''r%C3%A9sum%C3%A9.pdf",
      'text/plain; name="a (1).txt"',
      'multipart/mixed',
    ]) {
      expect(parseHeader(`Content-Type: ${contentType}`).ambiguous, contentType).toBe(false);
    }
    expect(parseHeader('Content-Type: multipart/mixed; BOUNDARY="x y  "').boundary).toBe('x y');
  });

  it('counts as deep as the structure it is given, whatever the boundaries', () => {
    const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/).filter((value) => !value.endsWith(' '));
    fc.assert(
      fc.property(fc.array(boundary, { minLength: 1, maxLength: 12 }), (boundaries) => {
        const unique = boundaries.map((value, index) => `${index}${value}`);
        const rows: string[] = [];
        for (const value of unique) rows.push(`Content-Type: multipart/mixed; boundary="${value}"`, '', `--${value}`);
        rows.push('Content-Type: text/plain', '', 'bottom', ...[...unique].reverse().map((value) => `--${value}--`));
        expect(outlineOf(lines(...rows), 100).depth).toBe(unique.length);
      }),
    );
  });
});

describe('partsOf', () => {
  it('gives each part exactly as written: the line break before a delimiter belongs to the delimiter', () => {
    const entity = entityOf(
      lines(
        'Content-Type: multipart/signed; boundary="s"',
        '',
        'preamble',
        '--s  ',
        'Content-Type: text/plain',
        '',
        'signed text  ',
        '',
        '--s',
        'Content-Type: application/pgp-signature',
        '',
        'sig',
        '--s--',
        'epilogue',
      ),
    );
    expect(partsOf(entity)?.map((part) => part.toString())).toEqual([
      'Content-Type: text/plain\r\n\r\nsigned text  \r\n',
      'Content-Type: application/pgp-signature\r\n\r\nsig',
    ]);
    expect(partsOf(entityOf(lines('Content-Type: text/plain', '', '--s')))).toBeNull();
  });

  it('reads a message stored with LF line endings', () => {
    const entity = entityOf(
      Buffer.from('Content-Type: multipart/mixed; boundary=m\n\n--m\n\none\n--m\n\ntwo\n--m--\n'),
    );
    expect(partsOf(entity)?.map((part) => part.toString())).toEqual(['\none', '\ntwo']);
  });
});

describe('line breaks and transfer encodings', () => {
  it('makes every line break CRLF, leaving CRLF and lone CR as they are', () => {
    expect(canonicalLineBreaks(Buffer.from('a\nb\r\nc\rd\n')).toString()).toBe('a\r\nb\r\nc\rd\r\n');
  });

  it('undoes base64 and quoted-printable', () => {
    const base64 = entityOf(lines('Content-Transfer-Encoding: base64', '', 'aGFt', 'ZcOnb24='));
    expect(decodedBody(base64).toString()).toBe('hameçon');
    const qp = entityOf(lines('Content-Transfer-Encoding: Quoted-Printable', '', 'hame=C3=A7on=', ' suite'));
    expect(decodedBody(qp).toString()).toBe('hameçon suite');
  });
});
