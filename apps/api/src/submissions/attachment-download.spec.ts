import { describe, expect, it } from 'vitest';
import { attachmentHeaders, downloadName } from './attachment-download';

describe('attachments served as downloads', () => {
  it('are opaque bytes no browser renders, sniffs or keeps', () => {
    expect(attachmentHeaders('report.html', 42)).toEqual({
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': "attachment; filename*=UTF-8''report.html",
      'Content-Length': '42',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'no-store',
    });
  });

  it('name the file as sent, percent-encoded as RFC 5987 says, without control characters or paths', () => {
    const disposition = (name: string) => attachmentHeaders(name, 1)['Content-Disposition'];
    expect(disposition('relevé bancaire.pdf')).toBe("attachment; filename*=UTF-8''relev%C3%A9%20bancaire.pdf");
    expect(disposition(`it's (1)*.txt`)).toBe("attachment; filename*=UTF-8''it%27s%20%281%29%2A.txt");
    expect(disposition('a"b;c\r\nContent-Type: text/html.txt')).toBe(
      "attachment; filename*=UTF-8''a%22b%3BcContent-Type%3A%20text_html.txt",
    );
    expect(downloadName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(downloadName('\u0000\u0007 ')).toBe('attachment');
    expect(downloadName('ok\u2028name\u0085.txt')).toBe('okname.txt');
  });
});
