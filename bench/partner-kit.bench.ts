/**
 * The partner kit's pull: what a partner's first `tlp-broker-partner pull` costs for a backlog of
 * 1,000 feed entries (TLP:AMBER advisories with five indicators each, signed by the team and
 * encrypted to the partner), against the floor any partner-side tool pays — openpgp.js decrypting
 * and verifying the same messages and nothing more — measured in the same run. Also: a second pull
 * (nothing new), and the kit's peak memory.
 *
 * A plain Node script: `npm run bench:partner-kit`. The feed is in memory (no broker, no network):
 * this measures the kit's own work (opening, the STIX/MISP mapping, the files), not HTTP.
 * Every entry's output is checked: one STIX bundle and one MISP event per item.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { LocalStore } from '../apps/partner-kit/src/local-store';
import { itemDocument, MemoryFeed } from '../apps/partner-kit/src/memory-feed.test-fixtures';
import { KeyFilePartnerKey } from '../apps/partner-kit/src/opener';
import { pull } from '../apps/partner-kit/src/pull';
import type { PinnedTeamKeys } from '../apps/partner-kit/src/team-keys';

const ENTRIES = 1_000;
const INDICATORS = 5;
/** About the size of an advisory's body. */
const BODY = 'Observed activity and recommended actions. '.repeat(60);

const key = (name: string) =>
  openpgp
    .generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name }], format: 'object' })
    .then((pair) => pair.privateKey);

async function backlog(team: openpgp.PrivateKey, partner: openpgp.PrivateKey): Promise<MemoryFeed> {
  const feed = new MemoryFeed();
  for (let n = 0; n < ENTRIES; n += 1) {
    const id = randomUUID();
    const indicators = Array.from({ length: INDICATORS }, (_, i) => `c2-${n}-${i}.example`);
    const text = itemDocument({ id, version: 1, tlp: 'TLP:AMBER', indicators, body: BODY });
    await feed.add(
      { entry: 'item', itemId: id, version: 1, type: 'advisory', tlp: 'TLP:AMBER', pap: null },
      text,
      team,
      partner.toPublic(),
    );
  }
  return feed;
}

/** The floor: each message decrypted, its signature verified, its JSON read — nothing written. */
async function openpgpAlone(feed: MemoryFeed, team: openpgp.PrivateKey, partner: openpgp.PrivateKey): Promise<number> {
  const started = performance.now();
  for (const entry of feed.entries) {
    const result = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: entry.message }),
      decryptionKeys: partner,
      verificationKeys: team.toPublic(),
      expectSigned: true,
    });
    JSON.parse(result.data);
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const [team, partner] = await Promise.all([key('team'), key('partner')]);
  process.stdout.write(`preparing ${ENTRIES} feed entries… `);
  const feed = await backlog(team, partner);
  process.stdout.write('done\n');
  const home = await mkdtemp(join(tmpdir(), 'tlpb-bench-kit-'));
  try {
    const baselineMs = await openpgpAlone(feed, team, partner);
    const context = async () => ({
      broker: feed.client(),
      key: await KeyFilePartnerKey.load(partner.armor(), null),
      team: {
        keys: [team.toPublic()],
        sealTo: team.toPublic(),
        since: new Date(0),
        contactEmail: undefined,
      } as PinnedTeamKeys,
      store: await LocalStore.open(home, join(home, 'out')),
    });
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const summary = await pull(await context(), { includeRed: false });
    const pullMs = performance.now() - started;
    clearInterval(sampler);
    const againStarted = performance.now();
    const again = await pull(await context(), { includeRed: false });
    const againMs = performance.now() - againStarted;
    const bundles = (await readdir(join(home, 'out', 'stix'))).length;
    const events = (await readdir(join(home, 'out', 'misp'))).filter(
      (name) => name.endsWith('.json') && name !== 'manifest.json',
    );
    if (summary.items !== ENTRIES || bundles !== ENTRIES || events.length !== ENTRIES || again.entries !== 0)
      throw new Error(
        `wrong output: ${summary.items} items, ${bundles} bundles, ${events.length} events, ${again.entries} again`,
      );
    const perEntry = (ms: number) => `${(ms / ENTRIES).toFixed(2)} ms/entry`;
    console.log(`\npartner kit, first pull of ${ENTRIES} entries (TLP:AMBER, ${INDICATORS} indicators each):`);
    console.log(`  tlp-broker-partner pull         ${(pullMs / 1000).toFixed(2)} s  (${perEntry(pullMs)})`);
    console.log(
      `  baseline: openpgp.js alone      ${(baselineMs / 1000).toFixed(2)} s  (${perEntry(baselineMs)})  decrypt + verify + JSON.parse, nothing written`,
    );
    console.log(`  ratio                           ${(pullMs / baselineMs).toFixed(2)}× the baseline`);
    console.log(`  second pull (nothing new)       ${againMs.toFixed(0)} ms`);
    console.log(
      `  peak RSS during the pull        ${Math.round(peak / 1_048_576)} MB (${Math.round((peak - rssBefore) / 1_048_576)} MB above the start of the pull)`,
    );
    console.log(
      `  written: ${bundles} STIX bundles, ${events.length} MISP events, manifest.json, hashes.csv, the collection`,
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
