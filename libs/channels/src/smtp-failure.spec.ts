import { describe, expect, it } from 'vitest';
import { smtpFailure } from './smtp-failure';

/** Errors shaped as nodemailer 10 hands them back. */
function smtpError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('smtpFailure', () => {
  it.each([
    [
      '550 unknown recipient',
      {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        response: '550 5.1.1 <x@lea.example>: Recipient address rejected',
        responseCode: 550,
        permanent: true,
      },
      'rejected',
      550,
    ],
    [
      '554 refused after DATA',
      { code: 'EMESSAGE', command: 'DATA', response: '554 5.7.1 Message rejected', responseCode: 554, permanent: true },
      'rejected',
      554,
    ],
    [
      '552 too big',
      { code: 'EMESSAGE', command: 'DATA', response: '552 5.3.4 Message size exceeds fixed limit', responseCode: 552 },
      'rejected',
      552,
    ],
    [
      '451 greylisted',
      {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        response: '451 4.7.1 Greylisted, try again later',
        responseCode: 451,
        permanent: false,
      },
      'deferred',
      451,
    ],
    [
      '421 shutting down',
      { code: 'EPROTOCOL', command: 'CONN', response: '421 4.3.2 Service shutting down', responseCode: 421 },
      'deferred',
      421,
    ],
    [
      '503 bad sequence',
      { code: 'EPROTOCOL', command: 'DATA', response: '503 5.5.1 Bad sequence', responseCode: 503, permanent: false },
      'deferred',
      503,
    ],
  ] as const)('%s is %s', (_name, fields, code, status) => {
    const error = smtpFailure(smtpError('Message failed', fields));
    expect(error).toMatchObject({ channel: 'email', code, status, permanent: code === 'rejected' });
    expect(error.message).toContain(String(status));
  });

  it("reads a reply code without nodemailer's permanent flag by its class", () => {
    expect(smtpFailure(smtpError('x', { code: 'EENVELOPE', responseCode: 550 }))).toMatchObject({
      code: 'rejected',
      permanent: true,
    });
    expect(smtpFailure(smtpError('x', { code: 'EENVELOPE', responseCode: 452 }))).toMatchObject({
      code: 'deferred',
      permanent: false,
    });
  });

  it.each([
    ['a timeout', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }, 'timeout'],
    ['a refused connection', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, 'network'],
    ['a dropped connection', { code: 'ECONNECTION', command: 'CONN' }, 'network'],
    ['a DNS failure', { code: 'EDNS', originalCode: 'ENOTFOUND' }, 'network'],
    ['an error without a code', {}, 'network'],
    [
      'a failed login',
      {
        code: 'EAUTH',
        command: 'AUTH PLAIN',
        response: '535 5.7.8 Authentication credentials invalid',
        responseCode: 535,
        permanent: true,
      },
      'configuration',
    ],
    ['a relay without STARTTLS when TLS is required', { code: 'ETLS', command: 'STARTTLS' }, 'configuration'],
    [
      'a relay certificate nobody vouches for',
      { code: 'ESOCKET', originalCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', command: 'CONN' },
      'configuration',
    ],
    [
      'a relay certificate for another name',
      { code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID', command: 'CONN' },
      'configuration',
    ],
  ] as const)('%s is temporary (%s)', (_name, fields, code) => {
    const error = smtpFailure(smtpError('failed', fields));
    expect(error).toMatchObject({ code, permanent: false });
  });

  it('keeps the credentials out of the message, even when a server echoes the AUTH command', () => {
    const error = smtpFailure(
      smtpError('Invalid login', {
        code: 'EAUTH',
        command: 'AUTH PLAIN AHVzZXIAczNjcjN0',
        response: '535 Authentication failed',
        responseCode: 535,
      }),
    );
    expect(error.message).toBe('SMTP login failed to AUTH: 535 Authentication failed');
    expect(error.message).not.toContain('AHVzZXIAczNjcjN0');
  });

  it('quotes only printable text of the server reply, shortened', () => {
    const error = smtpFailure(
      smtpError('x', {
        code: 'EENVELOPE',
        command: 'RCPT TO',
        response: `550 5.1.1 no\r\nsuch\u0000 user ${'x'.repeat(500)}`,
        responseCode: 550,
      }),
    );
    expect(error.message).toMatch(/^SMTP server answered 550 to RCPT: 550 5\.1\.1 no such user x+…$/);
    expect(error.message.length).toBeLessThan(260);
  });

  it('reads an envelope nodemailer refuses before sending as input that cannot go out', () => {
    expect(smtpFailure(smtpError('Invalid recipient "x"', { code: 'EENVELOPE', command: 'API' }))).toMatchObject({
      code: 'invalid-input',
      permanent: true,
      field: 'to.address',
    });
  });
});
