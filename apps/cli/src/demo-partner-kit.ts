import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegisteredPartner } from '@tlp-broker/harness';

/** The partner kit as the build packs it (dist/partner-kit), beside the broker's own processes. */
const KIT_BIN = join(__dirname, '..', '..', '..', 'partner-kit', 'package', 'tlp-broker-partner.cjs');

function kit(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [KIT_BIN, ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`tlp-broker-partner ${args[2] ?? ''} failed: ${stderr || error.message}`))
        : resolve(stdout),
    ),
  );
}

/**
 * CERT-FR's side: from its API key and private key to cleartext STIX and MISP for its own OpenCTI
 * and MISP, in two commands of the partner kit (run as a partner would, with its own files).
 */
export async function partnerKit(
  context: { base: string; teamFingerprint: string; workDir: string; log: (line?: string) => void },
  certFr: RegisteredPartner,
): Promise<void> {
  const { log } = context;
  const directory = join(context.workDir, 'partner-kit');
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const file = async (name: string, content: string) => {
    await writeFile(join(directory, name), content, { mode: 0o600 });
    return join(directory, name);
  };
  const home = join(directory, 'home');
  log();
  log(
    'CERT-FR runs the partner kit (tlp-broker-partner) on its side: two commands to cleartext STIX and MISP for its own tools.',
  );
  log(
    `  $ tlp-broker-partner init --broker ${context.base} --api-key-file api-key.txt --key cert-fr.asc --team-fingerprint ${context.teamFingerprint}`,
  );
  const init = await kit([
    '--home',
    home,
    'init',
    '--broker',
    context.base,
    '--api-key-file',
    await file('api-key.txt', certFr.feedKey),
    '--key',
    await file('cert-fr.asc', certFr.privateKey.armor()),
    '--team-fingerprint',
    context.teamFingerprint,
  ]);
  for (const line of init.trim().split('\n')) log(`    ${line}`);
  log('  $ tlp-broker-partner pull');
  const pulled = await kit(['--home', home, 'pull']);
  for (const line of pulled.trim().split('\n')) log(`    ${line}`);
  const bundles = await readdir(join(home, 'out', 'stix'));
  const events = (await readdir(join(home, 'out', 'misp'))).filter((name) => /^[0-9a-f-]{36}\.json$/.test(name));
  log(`  ${bundles.length} STIX bundles and ${events.length} MISP events in the clear, on CERT-FR's machine only;`);
  log('  `tlp-broker-partner serve` would hand them to its OpenCTI (TAXII 2.1) and MISP (feed) on its own network.');
}
