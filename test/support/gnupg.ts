import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throw-away GnuPG home: what a partner's analyst runs, driven from the tests. */
export class GnuPG {
  private constructor(readonly home: string) {}

  static async create(): Promise<GnuPG> {
    const home = await mkdtemp(join(tmpdir(), 'tlpb-gnupg-'));
    return new GnuPG(home);
  }

  async gpg(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    const child = run('gpg', ['--homedir', this.home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return child;
  }

  /** An EdDSA primary key with a Curve25519 encryption subkey, as `gpg --quick-gen-key` makes them. */
  async generateKey(userId: string): Promise<{ fingerprint: string; publicArmored: string }> {
    await this.gpg(['--quick-gen-key', userId, 'ed25519', 'sign', 'never']);
    const fingerprint = await this.fingerprintOf(userId);
    await this.gpg(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
    const { stdout } = await this.gpg(['--armor', '--export', fingerprint]);
    return { fingerprint, publicArmored: stdout };
  }

  async fingerprintOf(userId: string): Promise<string> {
    const { stdout } = await this.gpg(['--with-colons', '--list-keys', userId]);
    const line = stdout.split('\n').find((row) => row.startsWith('fpr:'));
    if (!line) throw new Error(`no key for ${userId}`);
    return line.split(':')[9];
  }

  async importKey(armored: string): Promise<void> {
    const file = join(this.home, `import-${Date.now()}.asc`);
    await writeFile(file, armored);
    await this.gpg(['--import', file]);
  }

  /** Decrypts and verifies; returns the plaintext and the machine-readable status lines. */
  async decrypt(armoredMessage: string): Promise<{ plaintext: string; status: string[] }> {
    const file = join(this.home, `message-${Date.now()}.asc`);
    await writeFile(file, armoredMessage);
    const { stdout, stderr } = await this.gpg(['--status-fd', '2', '--decrypt', file]);
    return { plaintext: stdout, status: stderr.split('\n').filter((line) => line.startsWith('[GNUPG:]')) };
  }

  async destroy(): Promise<void> {
    await run('gpgconf', ['--homedir', this.home, '--kill', 'all']).catch(() => undefined);
    await rm(this.home, { recursive: true, force: true });
  }
}
