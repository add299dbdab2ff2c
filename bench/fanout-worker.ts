/**
 * Worker thread for the fan-out benchmark (bench/fanout.bench.ts), loaded from the compiled
 * dist/bench/fanout-worker.js. Addresses a share of the recipients the way the delivery worker
 * does: the sealed payload comes in as bytes, recipients' keys come in armored and are parsed once
 * per fingerprint and cached, and each recipient's armored message goes back to the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { PublicKey } from 'openpgp';
// The module itself, not the package index: the index also loads the persistence layer (TypeORM),
// which a thread that only addresses messages does not need and whose loading would count as start-up.
import { SharedArmor } from '../libs/crypto/src/armor';
import { addressTo, readPublicKey } from '../libs/crypto/src/seal';
import type { SealedPayload } from '../libs/crypto/src/seal';

export interface AddressJob {
  readonly type: 'address';
  readonly id: number;
  readonly payload: SealedPayload;
  readonly recipients: readonly { readonly fingerprint: string; readonly armored: string }[];
  /** addressTo calls in flight at once, as the delivery queue's concurrency. */
  readonly concurrency: number;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | {
      readonly type: 'done';
      readonly id: number;
      /** In recipient order. */
      readonly messages: string[];
      /** Keys parsed for this job (cache misses). */
      readonly parsed: number;
      /** Time inside the worker, from receiving the job to having every message. */
      readonly busyMs: number;
    }
  | { readonly type: 'failed'; readonly id: number; readonly error: string };

const port = parentPort;
if (!port) throw new Error('fanout-worker runs as a worker thread of fanout.bench.js, not on its own.');

/** Parsed keys by fingerprint, as OpenPgpService keeps them. */
const keys = new Map<string, Promise<PublicKey>>();

async function address(job: AddressJob): Promise<Extract<WorkerReply, { type: 'done' }>> {
  const started = performance.now();
  let parsed = 0;
  const publicKey = (fingerprint: string, armored: string): Promise<PublicKey> => {
    let key = keys.get(fingerprint);
    if (!key) {
      parsed++;
      key = readPublicKey(armored);
      keys.set(fingerprint, key);
    }
    return key;
  };
  const { recipients, payload } = job;
  const messages = new Array<string>(recipients.length);
  // As OpenPgpService does: the shared packet is armored once per payload.
  const armor = new SharedArmor(payload.encryptedData);
  let next = 0;
  const lane = async () => {
    while (next < recipients.length) {
      const i = next++;
      messages[i] = await addressTo(
        payload,
        await publicKey(recipients[i].fingerprint, recipients[i].armored),
        undefined,
        armor,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(job.concurrency, recipients.length)) }, lane));
  return { type: 'done', id: job.id, messages, parsed, busyMs: performance.now() - started };
}

port.on('message', (job: AddressJob) => {
  address(job).then(
    (reply) => port.postMessage(reply),
    (error: unknown) =>
      port.postMessage({
        type: 'failed',
        id: job.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies WorkerReply),
  );
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
