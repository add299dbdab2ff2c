import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Builds tlp-broker-partner as a package of its own (dist/partner-kit/tlp-broker-partner.tgz),
 * which partners run with `npx` and the API hands out at /partner-kit/tlp-broker-partner.tgz: one
 * file holding the kit and the tlp-broker libraries it uses, with openpgp.js (LGPL) left a
 * dependency that npm installs beside it, unchanged.
 */
const root = join(__dirname, '..', '..');
const kit = join(root, 'apps', 'partner-kit');
const destination = join(root, 'dist', 'partner-kit');
const packageDirectory = join(destination, 'package');

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(kit, 'package.json'), 'utf8')) as { version: string };
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(packageDirectory, { recursive: true });
  const bin = join(packageDirectory, 'tlp-broker-partner.cjs');
  await build({
    entryPoints: [join(kit, 'src', 'main.ts')],
    outfile: bin,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['openpgp'],
    define: { KIT_VERSION: JSON.stringify(manifest.version) },
    tsconfig: join(root, 'tsconfig.json'),
    legalComments: 'linked',
    logLevel: 'warning',
  });
  chmodSync(bin, 0o755);
  copyFileSync(join(kit, 'package.json'), join(packageDirectory, 'package.json'));
  copyFileSync(join(kit, 'README.md'), join(packageDirectory, 'README.md'));
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', destination], {
    cwd: packageDirectory,
    encoding: 'utf8',
  }).trim();
  renameSync(join(destination, packed.split('\n').pop()!), join(destination, 'tlp-broker-partner.tgz'));
  writeFileSync(join(destination, 'VERSION'), `${manifest.version}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
