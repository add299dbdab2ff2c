import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIndicatorValue, classifyIndicator, extractIndicators, refang } from './indicator-text';

const SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

describe('refang', () => {
  it('writes back every defanged form in a text, not only at its start', () => {
    expect(
      refang(
        'Landing page hxxps[:]//login[.]evil(.)example/a and fxp://files[dot]example{.}org, mail x[@]bad[.]example',
      ),
    ).toBe('Landing page https://login.evil.example/a and ftp://files.example.org, mail x@bad.example');
    expect(refang('see hxxp[://]evil[.]example')).toBe('see http://evil.example');
  });

  it('leaves words that only start like a defanged scheme alone', () => {
    expect(refang('hxxp-tools.example and ahxxp://x')).toBe('hxxp-tools.example and ahxxp://x');
  });
});

describe('classifyIndicator', () => {
  it('keeps the console behaviour: a pasted name is a domain whatever its last label', () => {
    expect(classifyIndicator('report.pdf')).toBe('domain');
    expect(classifyIndicator('203.0.113.7')).toBe('ipv4');
    expect(classifyIndicator(`https://${'a'.repeat(5000)}.example`)).toBeNull();
  });
});

describe('canonicalIndicatorValue', () => {
  it('lower-cases what has no case of its own and keeps URLs and e-mail addresses as written', () => {
    expect(canonicalIndicatorValue('domain', 'Evil.Example.')).toBe('evil.example');
    expect(canonicalIndicatorValue('md5', MD5.toUpperCase())).toBe(MD5);
    expect(canonicalIndicatorValue('url', 'https://Evil.example/A')).toBe('https://Evil.example/A');
    expect(canonicalIndicatorValue('email', 'Bob@Evil.example')).toBe('Bob@Evil.example');
  });
});

describe('extractIndicators', () => {
  it('finds every kind of indicator in a report, refanged, in order of appearance', () => {
    const report = [
      'Dear CSIRT, the phishing page hxxps://login-police[.]example/verify?id=3 sent mails from',
      'helpdesk[@]police-support[.]example (relay 203.0.113[.]7:25, also 2001:db8::1).',
      `The dropper (SHA-256: ${SHA256.toUpperCase()}, md5=${MD5}) called back to c2.evil.example.`,
    ].join('\n');
    expect(extractIndicators(report)).toEqual([
      { type: 'url', value: 'https://login-police.example/verify?id=3' },
      { type: 'email', value: 'helpdesk@police-support.example' },
      { type: 'ipv4', value: '203.0.113.7' },
      { type: 'ipv6', value: '2001:db8::1' },
      { type: 'sha256', value: SHA256 },
      { type: 'md5', value: MD5 },
      { type: 'domain', value: 'c2.evil.example' },
    ]);
  });

  it('does not list the domain of a URL or an e-mail address again on its own', () => {
    expect(extractIndicators('http://evil.example/a bob@mail.example')).toEqual([
      { type: 'url', value: 'http://evil.example/a' },
      { type: 'email', value: 'bob@mail.example' },
    ]);
  });

  it('lists a value once, even written differently', () => {
    expect(extractIndicators('Evil.example evil[.]example EVIL.EXAMPLE.')).toEqual([
      { type: 'domain', value: 'evil.example' },
    ]);
  });

  it.each([
    'See report.pdf and invoice.docx, run setup.exe or install.sh',
    'Upgrade to v1.2.3.4 or build-10.0.0.1; release 1.2.3.4.5',
    'e.g. this, i.e. that, etc. and 3.14 and U.S. law',
    'The time was 12:30:45 on 2026-01-02; MAC 00:1a:2b:3c:4d:5e',
    'Follow @cert_team and mail at noon',
    'A hash-like d41d8cd98f00b204e9800998ecf8427 (31 digits) or a sha512 ' + 'a'.repeat(128),
    'Not an address: 256.1.1.1 nor 01.2.3.4',
  ])('finds nothing in %j', (text) => {
    expect(extractIndicators(text)).toEqual([]);
  });

  it.each([
    ['(see evil.example)', [{ type: 'domain', value: 'evil.example' }]],
    ['[https://evil.example/x]', [{ type: 'url', value: 'https://evil.example/x' }]],
    ['Go to <https://evil.example/x>.', [{ type: 'url', value: 'https://evil.example/x' }]],
    ['read https://evil.example/x).', [{ type: 'url', value: 'https://evil.example/x' }]],
    ['[link](https://evil.example/x)', [{ type: 'url', value: 'https://evil.example/x' }]],
    ['mailto:bob@evil.example', [{ type: 'email', value: 'bob@evil.example' }]],
    ['ssh root@198.51.100.4', [{ type: 'ipv4', value: '198.51.100.4' }]],
    ['ip=198.51.100.4,port=22', [{ type: 'ipv4', value: '198.51.100.4' }]],
    ['evil.example/admin/login.php', [{ type: 'domain', value: 'evil.example' }]],
    ['[2001:db8::7]:443', [{ type: 'ipv6', value: '2001:db8::7' }]],
    ['xn--80ak6aa92e.xn--p1ai', [{ type: 'domain', value: 'xn--80ak6aa92e.xn--p1ai' }]],
  ])('reads %j', (text, expected) => {
    expect(extractIndicators(text)).toEqual(expected);
  });

  it('stops at the limit', () => {
    const text = Array.from({ length: 50 }, (_, index) => `198.51.100.${index}`).join(' ');
    expect(extractIndicators(text, 10)).toHaveLength(10);
    expect(extractIndicators(text, 0)).toEqual([]);
    expect(extractIndicators(text)).toHaveLength(50);
  });

  it('reads a 10 MB text in bounded time', () => {
    const line = 'Lorem ipsum 1.2.3 dolor, sit amet (hxxp://a[.]example/x) version 2.0.1 a@b c.d.e.f\n';
    const text = `${line.repeat(Math.ceil(10_000_000 / line.length))}${'x'.repeat(100_000)} 192.0.2.1`;
    const started = Date.now();
    const found = extractIndicators(text);
    // Generous under load: what this guards against is work growing faster than the text.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(found).toEqual([
      { type: 'url', value: 'http://a.example/x' },
      { type: 'ipv4', value: '192.0.2.1' },
    ]);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        for (const indicator of extractIndicators(text))
          expect(classifyIndicator(indicator.value)).toBe(indicator.type);
      }),
    );
  });
});

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('example', 'org', 'eu', 'fr', 'xn--p1ai'))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const ipv4 = fc.ipV4();

/** How reports defang an indicator. */
const defang = (value: string, dot: string, at: string) => value.replaceAll('.', dot).replaceAll('@', at);
const dots = fc.constantFrom('.', '[.]', '(.)', '{.}', '[dot]');
const ats = fc.constantFrom('@', '[@]', '(at)', '[at]');

describe('refang after defang', () => {
  it('gives back the domain, address or URL that was defanged', () => {
    fc.assert(
      fc.property(fc.oneof(domain, ipv4), dots, (value, dot) => {
        expect(refang(defang(value, dot, '@'))).toBe(value);
      }),
    );
    fc.assert(
      fc.property(domain, fc.constantFrom('http', 'https'), fc.boolean(), dots, (host, scheme, colon, dot) => {
        const url = `${scheme}://${host}/path`;
        const written = `${scheme.replace('http', 'hxxp')}${colon ? '[:]' : ':'}//${defang(host, dot, '@')}/path`;
        expect(refang(written)).toBe(url);
      }),
    );
  });

  it('finds the indicator a report defanged, as the analyst would write it', () => {
    fc.assert(
      fc.property(domain, ipv4, dots, ats, (host, address, dot, at) => {
        const text = `Mail from ${defang(`ops@${host}`, dot, at)} relayed by ${defang(address, dot, at)}.`;
        expect(extractIndicators(text)).toEqual([
          { type: 'email', value: `ops@${host}` },
          { type: 'ipv4', value: address },
        ]);
      }),
    );
  });
});
