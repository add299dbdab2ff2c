import { readFile } from 'node:fs/promises';
import { openKit } from '../context';
import { deliveryOf } from '../references';
import { BrokerClient } from '../broker-client';
import { LocalStore } from '../local-store';
import { KitError, readSettings } from '../settings';
import { Output } from './output';

/** Acknowledges an urgent item: the team's escalation stops for the partner's organisation. */
export async function ack(home: string, reference: string, options: { json?: boolean }): Promise<void> {
  const output = new Output(options.json ?? false);
  // Neither key nor collection is needed: the kit's state names the delivery, the API key acknowledges it.
  const settings = await readSettings(home);
  const deliveryId = deliveryOf(await LocalStore.readState(home), reference);
  const answer = await new BrokerClient(settings.broker, settings.apiKey).acknowledge(deliveryId);
  output.line(
    answer.already
      ? `Item ${String(answer.itemId)} had already been acknowledged (${String(answer.acknowledgedAt)}).`
      : `Item ${String(answer.itemId)} acknowledged at ${String(answer.acknowledgedAt)}.`,
  );
  output.result({ deliveryId, ...answer });
}

/** The most a submission may be: the broker takes 1.5 MB of armored message. */
const MAX_SUBMISSION_BYTES = 1_000_000;

/** Sends a report or STIX bundle to the team, signed with the partner key and encrypted to the team's. */
export async function submit(home: string, file: string, options: { json?: boolean }): Promise<void> {
  const output = new Output(options.json ?? false);
  const content = await readFile(file).catch(() => {
    throw new KitError(`cannot read ${file}`);
  });
  if (content.length > MAX_SUBMISSION_BYTES) throw new KitError(`${file} is larger than ${MAX_SUBMISSION_BYTES} bytes`);
  const text = content.toString('utf8');
  if (text.includes('\uFFFD') || text.includes('\u0000')) throw new KitError(`${file} is not UTF-8 text`);
  const kit = await openKit(home);
  const message = await kit.key.seal(text, kit.team.sealTo);
  const receipt = await kit.broker.submit(message);
  output.line(
    `Sent to the team, signed and encrypted: reference ${String(receipt.reference)} (submission ${String(receipt.id)}).`,
  );
  output.result({ id: receipt.id, reference: receipt.reference, status: receipt.status, tlp: receipt.tlp });
}
