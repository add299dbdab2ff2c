import { describe, expect, it } from 'vitest';
import { classifyIndicator, classifyLines, refang } from './indicators';

describe('refang', () => {
  it.each([
    ['hxxp://evil[.]example/login', 'http://evil.example/login'],
    ['hXXps[:]//cdn(.)evil{.}example/a', 'https://cdn.evil.example/a'],
    ['fxp://files[dot]example[.]org', 'ftp://files.example.org'],
    ['phish[@]bad[.]example', 'phish@bad.example'],
    ['admin[at]bad(dot)example', 'admin@bad.example'],
    ['203.0.113[.]7', '203.0.113.7'],
    ['  evil.example  ', 'evil.example'],
  ])('writes %s back as %s', (defanged, usable) => {
    expect(refang(defanged)).toBe(usable);
  });

  it('leaves "hxxp" alone when it is not the scheme', () => {
    expect(refang('hxxp-tools.example')).toBe('hxxp-tools.example');
  });
});

describe('classifyIndicator', () => {
  it.each([
    ['203.0.113.7', 'ipv4'],
    ['2001:db8::1', 'ipv6'],
    ['::ffff:192.0.2.1', 'ipv6'],
    ['evil.example', 'domain'],
    ['xn--80ak6aa92e.example', 'domain'],
    ['https://evil.example/path?q=1', 'url'],
    ['ftp://files.example.org/x', 'url'],
    ['phish@bad.example', 'email'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
    ['DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', 'sha1'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256'],
  ])('reads %s as %s', (value, type) => {
    expect(classifyIndicator(value)).toBe(type);
  });

  it.each([
    '256.1.1.1',
    '203.0.113',
    '01.2.3.4',
    '2001:db8:::1',
    'localhost',
    'evil.123',
    'javascript:alert(1)',
    'phish@localhost',
    'd41d8cd98f00b204e9800998ecf8427',
    'not an indicator',
    '',
  ])('does not read %j as an indicator', (value) => {
    expect(classifyIndicator(value)).toBeNull();
  });
});

describe('classifyLines', () => {
  it('fills indicators from pasted lines, refanged, with the rest of a line as its description', () => {
    const pasted = [
      '# from the EC3 report',
      'hxxps://login-police[.]example/verify  phishing landing page',
      '203.0.113[.]7, command-and-control server',
      '',
      'D41D8CD98F00B204E9800998ECF8427E',
      'Evil.Example.',
      'helpdesk[@]police-support[.]example',
    ].join('\n');
    const result = classifyLines(pasted);
    expect(result.indicators).toEqual([
      { type: 'url', value: 'https://login-police.example/verify', description: 'phishing landing page' },
      { type: 'ipv4', value: '203.0.113.7', description: 'command-and-control server' },
      { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e', description: '' },
      { type: 'domain', value: 'evil.example', description: '' },
      { type: 'email', value: 'helpdesk@police-support.example', description: '' },
    ]);
    expect(result.flagged).toEqual([]);
  });

  it('reads comma-separated lines without spaces', () => {
    expect(classifyLines('198.51.100.4,scanner').indicators).toEqual([
      { type: 'ipv4', value: '198.51.100.4', description: 'scanner' },
    ]);
  });

  it('flags every line it cannot read, with its line number, instead of dropping it', () => {
    const result = classifyLines('203.0.113.7\nsee the attached spreadsheet\n\n999.1.1.1\nevil.example');
    expect(result.indicators.map((indicator) => indicator.value)).toEqual(['203.0.113.7', 'evil.example']);
    expect(result.flagged).toEqual([
      { line: 2, text: 'see the attached spreadsheet' },
      { line: 4, text: '999.1.1.1' },
    ]);
  });

  it('counts repeated indicators, in the text or already in the table, once', () => {
    const result = classifyLines('203.0.113.7\nevil.example\n203.0.113[.]7\nEVIL.example', [
      { type: 'domain', value: 'evil.example' },
    ]);
    expect(result.indicators).toEqual([{ type: 'ipv4', value: '203.0.113.7', description: '' }]);
    expect(result.duplicates).toBe(3);
  });
});
