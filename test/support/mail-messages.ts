import { simpleParser } from 'mailparser';
import { expect } from 'vitest';
import type { GnuPG } from './gnupg';
import type { ReceivedMail } from './peers';

/** An RFC 5322 message: headers, then the body, lines ended with CRLF. */
export function message(headers: Record<string, string>, body: string): string {
  const head = Object.entries({ 'MIME-Version': '1.0', Date: new Date().toUTCString(), ...headers })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  return `${head}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`;
}

/** RFC 3156 multipart/encrypted around an armored OpenPGP message. */
export function pgpMime(headers: Record<string, string>, armored: string): string {
  return message(
    { ...headers, 'Content-Type': 'multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc-b"' },
    [
      'This is an OpenPGP/MIME encrypted message (RFC 3156).',
      '--enc-b',
      'Content-Type: application/pgp-encrypted',
      '',
      'Version: 1',
      '',
      '--enc-b',
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Disposition: inline; filename="encrypted.asc"',
      '',
      armored.trimEnd(),
      '--enc-b--',
      '',
    ].join('\n'),
  );
}

/** What the recipient's mail client makes of a PGP/MIME message the team sent: its headers, and GnuPG's reading of it. */
export interface OpenedMail {
  readonly to: string[];
  readonly subject: string;
  readonly messageId: string;
  readonly text: string;
  /** GnuPG's status lines (`[GNUPG:] DECRYPTION_OKAY`, `[GNUPG:] VALIDSIG …`). */
  readonly status: string[];
}

/** Opens a multipart/encrypted mail as its recipient would: GnuPG (holding the recipient's key) decrypts and verifies it. */
export async function openSealedMail(mail: ReceivedMail, gnupg: GnuPG): Promise<OpenedMail> {
  const parsed = await simpleParser(mail.raw);
  expect(parsed.headers.get('content-type')).toMatchObject({
    value: 'multipart/encrypted',
    params: { protocol: 'application/pgp-encrypted' },
  });
  const encrypted = parsed.attachments.find((part) => part.contentType === 'application/octet-stream')!;
  const { plaintext, status } = await gnupg.decrypt(encrypted.content.toString());
  const inner = await simpleParser(plaintext);
  return {
    to: mail.to,
    subject: parsed.subject ?? '',
    messageId: parsed.messageId ?? '',
    text: inner.text ?? '',
    status,
  };
}

/** GnuPG decrypted it and found a good signature by the key of `fingerprint`. */
export function expectDecryptedAndSignedBy(opened: OpenedMail, fingerprint: string): void {
  expect(opened.status).toContain('[GNUPG:] DECRYPTION_OKAY');
  expect(opened.status.some((line) => line.startsWith('[GNUPG:] GOODSIG '))).toBe(true);
  const validsig = opened.status.find((line) => line.startsWith('[GNUPG:] VALIDSIG '));
  expect(validsig?.trim().split(' ').pop()).toBe(fingerprint);
}
