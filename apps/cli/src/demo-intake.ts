import * as openpgp from 'openpgp';
import { mimeEntityForItem, pgpMimeEncrypted } from '@tlp-broker/crypto';
import { call, Dovecot, eventually, RegisteredPartner, slug } from '@tlp-broker/harness';

/** What the intake part of the demonstration needs from the rest of it. */
export interface IntakeDemo {
  readonly base: string;
  readonly analystKey: string;
  readonly teamKey: openpgp.PublicKey;
  readonly log: (line?: string) => void;
  /** Shows who received an item and why the others did not. */
  readonly showDecisions: (item: { id: string; tlp: string; title: string }) => Promise<void>;
}

interface InboxEntry {
  id: string;
  reference: string | null;
  status: string;
  tlp: string | null;
  pap: string | null;
  flags: string[];
  title: string | null;
  organisation: string | null;
  signerFingerprint: string | null;
  indicatorCount: number;
}

const TITLE = 'Phishing kit impersonating the online complaint service';

const REPORT = [
  'Several victims in Paris reported an SMS pointing to a fake "online complaint" page that asks',
  'for their bank card to "pay the filing fee". The kit we recovered posts to the server below.',
  '',
  'Landing page: hxxps://plainte-gendarmerie-en-ligne[.]example/depot',
  'Drop server:  203.0.113[.]45',
  'Kit archive SHA-256: 9f2c5d1a0e4b7c3d8e6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d',
  '',
  'Investigation under way at our unit; please do not contact the hosting provider (PAP:AMBER).',
].join('\n');

/**
 * A constituent unit reports an incident by encrypted e-mail: signed with its key, encrypted to the
 * team's, PGP/MIME, with its label in the subject. The dispatcher reads it from the team mailbox
 * (a real Dovecot), the analyst finds it in the inbox with its sender proven by the signature and
 * its indicators refanged, drafts an advisory from it, and publishes it: the source's label
 * decides how far it goes.
 */
export async function reportByEmail(
  demo: IntakeDemo,
  mailbox: Dovecot,
  unit: RegisteredPartner,
  audience: readonly RegisteredPartner[],
): Promise<void> {
  const { log } = demo;
  log();
  log(`A report comes in by encrypted e-mail from ${unit.name} (signed with its key, encrypted to the team's):`);
  await mailbox.append(await encryptedReport(demo.teamKey, unit));
  const entry = await eventually(
    async () => (await inbox(demo)).find((submission) => submission.title?.includes('Incident report')),
    30_000,
    250,
    'the e-mail report to reach the inbox (is the dispatcher reading the mailbox? see .var/demo/dispatcher.log)',
  );
  log(`  reference ${entry.reference}: ${entry.status}, sent by ${entry.organisation} (proven by the signature of`);
  log(`    key ${entry.signerFingerprint}, never by the From: header)`);
  log(
    `  label ${entry.tlp} and ${entry.pap} read from the message; ${entry.indicatorCount} indicators found in the text, refanged`,
  );
  const flags = entry.flags.length > 0 ? `flagged ${entry.flags.join(', ')}` : 'nothing flagged';
  log(`  ${flags}; the message was moved to the mailbox's Processed folder, never deleted`);
  const drafted = await call<{ item: { id: string; tlp: string; title: string } }>(
    demo.base,
    'POST',
    `/submissions/${entry.id}/draft-item`,
    {
      key: demo.analystKey,
      json: { type: 'advisory', title: TITLE, audience: { organisations: audience.map((partner) => partner.id) } },
    },
  );
  log(`  the analyst drafts an advisory from it (provenance: ${unit.name}, ${entry.tlp}) and publishes it`);
  await call(demo.base, 'POST', `/items/${drafted.item.id}/publish`, { key: demo.analystKey, json: {} });
  await demo.showDecisions(drafted.item);
  const status = await call<{ status: string }>(demo.base, 'GET', `/reports/${entry.reference}`, {
    key: demo.analystKey,
  });
  log(`  what ${unit.name} sees of its report ${entry.reference}: ${status.status}`);
}

async function inbox(demo: IntakeDemo): Promise<InboxEntry[]> {
  return call<InboxEntry[]>(demo.base, 'GET', '/submissions?source=email', { key: demo.analystKey });
}

/** The PGP/MIME message a mail client such as Thunderbird sends: one OpenPGP message, signed and encrypted. */
async function encryptedReport(teamKey: openpgp.PublicKey, unit: RegisteredPartner): Promise<string> {
  const entity = mimeEntityForItem(REPORT);
  const armored = await openpgp.encrypt({
    message: await openpgp.createMessage({ text: entity }),
    encryptionKeys: teamKey,
    signingKeys: unit.privateKey,
  });
  return pgpMimeEncrypted(
    {
      // The address on the unit's key, as its mail client sends it.
      from: `"${unit.name}" <soc@${slug(unit.name)}.example>`,
      to: ['"Police CSIRT" <csirt@police.example>'],
      subject: '[TLP:AMBER] Incident report',
      messageId: `<${Date.now()}.report@brigade.example>`,
      date: new Date(),
    },
    armored,
  );
}
