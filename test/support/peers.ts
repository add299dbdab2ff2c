import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

/** A partner's server on 127.0.0.1 that the broker pushes to: real SMTP or real HTTP. */
export interface Peer {
  /** Where the broker reaches it: `smtp://127.0.0.1:<port>` or `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Settings for a broker that pushes to peers on 127.0.0.1: e-mail through `mail` (plain SMTP, as
 * no local peer offers TLS), webhooks to the loopback address, and a failed attempt retried soon.
 */
export function pushSettings(mail: Peer): Record<string, string> {
  return {
    SMTP_URL: mail.url,
    SMTP_REQUIRE_TLS: 'false',
    MAIL_FROM: 'Police CSIRT <csirt@police.example>',
    WEBHOOK_ALLOW_LIST: '127.0.0.1',
    DELIVERY_BACKOFF_MS: '50',
  };
}

/** A message as the partner's mail server received it: the envelope recipients and the raw message. */
export interface ReceivedMail {
  to: string[];
  raw: Buffer;
}

/**
 * A partner's mail server (no TLS, no authentication) keeping every message it accepts in `mails`.
 * Each RCPT is refused with the next code of `rcptReplies` while there is one, then accepted.
 */
export async function startMailPeer(mails: ReceivedMail[], rcptReplies: number[] = []): Promise<Peer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo: (_address: SMTPServerAddress, _session: SMTPServerSession, callback: (error?: Error | null) => void) => {
      const code = rcptReplies.shift();
      if (code) callback(Object.assign(new Error('try again later'), { responseCode: code }));
      else callback();
    },
    onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null) => void) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  // A sender killed mid-conversation (a dispatcher stopped with SIGKILL) resets its connection:
  // a mail server logs that and goes on serving the others.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A partner's webhook endpoint: `answer` is handed each request once its whole body has arrived. */
export async function startWebhookPeer(
  answer: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void,
): Promise<Peer> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, Buffer.concat(chunks), response));
    // A caller killed mid-request resets the connection: the request is simply lost, as on any server.
    request.on('error', () => undefined);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      // A response a test left hanging would hold the server open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
