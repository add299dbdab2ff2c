import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import type { Dovecot } from '@tlp-broker/harness';

export { startDovecot } from '@tlp-broker/harness';
export type { Dovecot, DovecotOptions, FolderMessage } from '@tlp-broker/harness';

/** A TCP relay between the broker and Dovecot that can cut a connection in the middle of a message download. */
export interface CuttingProxy {
  /** `imap://127.0.0.1:<port>` */
  readonly url: string;
  /** The next download of a whole message (FETCH BODY[]) is cut after this many bytes of the answer, once. */
  cutNextDownloadAfter(bytes: number): void;
  /** How many connections were cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** Starts a relay on a free loopback port to `target`'s IMAP port. */
export async function startCuttingProxy(target: Dovecot): Promise<CuttingProxy> {
  let armed: number | null = null;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    let cutAfter: number | null = null;
    client.on('data', (data: Buffer) => {
      if (armed !== null && /FETCH .*BODY(\.PEEK)?\[\]/i.test(data.toString('latin1'))) {
        cutAfter = armed;
        armed = null;
      }
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (cutAfter === null) {
        client.write(data);
        return;
      }
      if (data.length < cutAfter) {
        cutAfter -= data.length;
        client.write(data);
        return;
      }
      client.write(data.subarray(0, cutAfter));
      cuts++;
      cutAfter = null;
      client.destroy();
      upstream.destroy();
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `imap://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cutNextDownloadAfter(bytes: number) {
      armed = bytes;
    },
    get cuts() {
      return cuts;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
