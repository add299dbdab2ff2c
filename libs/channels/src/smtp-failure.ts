import { ChannelError, quotePeer } from './channel-error';

/** What nodemailer puts on the errors it hands back (nodemailer's `NodemailerError`), read loosely. */
interface SmtpErrorFields {
  readonly code?: unknown;
  readonly originalCode?: unknown;
  readonly command?: unknown;
  readonly response?: unknown;
  readonly responseCode?: unknown;
  readonly permanent?: unknown;
}

/** Failures of our own settings: every delivery fails alike until an administrator fixes them. */
const CONFIGURATION_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG']);
const TLS_CODES = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * An SMTP failure as a ChannelError. A reply from the server decides by its class (RFC 5321
 * §4.2.1): 5yz is permanent (`rejected`, e.g. 550 unknown recipient), 4yz temporary (`deferred`,
 * e.g. 451 greylisting); 503 (bad sequence) is temporary as nodemailer reads it. Without a reply:
 * timeouts and broken connections are temporary; login and TLS failures are `configuration`
 * (temporary, the relay is ours to fix), and so is a 5yz answer to AUTH. An envelope nodemailer
 * refuses before sending is `invalid-input`. The message carries the command and the server's
 * reply, never the credentials.
 */
export function smtpFailure(error: unknown): ChannelError {
  const fields: SmtpErrorFields = typeof error === 'object' && error !== null ? (error as SmtpErrorFields) : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const command = typeof fields.command === 'string' ? fields.command.split(' ')[0] : undefined;
  const status =
    typeof fields.responseCode === 'number' && fields.responseCode >= 200 && fields.responseCode < 600
      ? fields.responseCode
      : undefined;
  const reply = typeof fields.response === 'string' ? quotePeer(fields.response) : undefined;
  const during = command !== undefined && command !== 'API' && command !== 'CONN' ? ` to ${command}` : '';

  if (code !== undefined && CONFIGURATION_CODES.has(code)) {
    return new ChannelError(
      'email',
      'configuration',
      `SMTP ${code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2' ? 'login' : 'TLS'} failed${during}${reply ? `: ${reply}` : ''}`,
      { status },
    );
  }
  if (status !== undefined && status >= 400) {
    const permanent = typeof fields.permanent === 'boolean' ? fields.permanent : status >= 500 && status !== 503;
    return new ChannelError(
      'email',
      permanent ? 'rejected' : 'deferred',
      `SMTP server answered ${status}${during}${reply ? `: ${reply}` : ''}`,
      { status },
    );
  }
  if (code === 'ETIMEDOUT') return new ChannelError('email', 'timeout', 'SMTP server did not answer in time');
  if (code === 'EENVELOPE' || code === 'EMESSAGE') {
    // Refused by nodemailer itself before the server said anything: the envelope cannot be sent.
    const field = code === 'EENVELOPE' ? 'to.address' : 'body';
    return new ChannelError(
      'email',
      'invalid-input',
      `SMTP client refused the ${code === 'EENVELOPE' ? 'envelope' : 'message'}: ${quotePeer(errorText(error))}`,
      { field },
    );
  }
  const system = typeof fields.originalCode === 'string' ? fields.originalCode : code;
  // The relay's certificate is not trusted: ours to fix (its CA, its name), never sent in clear instead.
  if (system !== undefined && TLS_CODES.test(system))
    return new ChannelError('email', 'configuration', `SMTP TLS failed (${quotePeer(system, 40)})`);
  // Broken or refused connections, DNS: nothing was decided, try again later.
  return new ChannelError('email', 'network', `SMTP connection failed${system ? ` (${quotePeer(system, 40)})` : ''}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
