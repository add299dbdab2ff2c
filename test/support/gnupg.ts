import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throw-away GnuPG home: what a partner's analyst runs, driven from the tests. */
export class GnuPG {
  private files = 0;

  private constructor(readonly home: string) {}

  /** First line of `gpg --version`, e.g. "gpg (GnuPG) 2.2.40". */
  static version(): string {
    return execFileSync('gpg', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  }

  static async create(): Promise<GnuPG> {
    const home = await mkdtemp(join(tmpdir(), 'tlpb-gnupg-'));
    return new GnuPG(home);
  }

  async gpg(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    const child = run(
      'gpg',
      ['--homedir', this.home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return child;
  }

  /** An EdDSA primary key with a Curve25519 encryption subkey, as `gpg --quick-gen-key` makes them. */
  async generateKey(userId: string): Promise<{ fingerprint: string; publicArmored: string }> {
    return this.generateKeyWith(userId, 'ed25519', 'cv25519');
  }

  /** A signing primary key and an encryption subkey of the given gpg algorithms (`rsa3072`, `ed25519`/`cv25519`…). */
  async generateKeyWith(
    userId: string,
    primary: string,
    encryptionSubkey: string,
  ): Promise<{ fingerprint: string; publicArmored: string }> {
    await this.gpg(['--quick-gen-key', userId, primary, 'sign', 'never']);
    const fingerprint = await this.fingerprintOf(userId);
    await this.gpg(['--quick-add-key', fingerprint, encryptionSubkey, 'encr', 'never']);
    return { fingerprint, publicArmored: await this.exportPublicKey(fingerprint) };
  }

  async exportPublicKey(fingerprint: string): Promise<string> {
    const { stdout } = await this.gpg(['--armor', '--export', fingerprint]);
    return stdout;
  }

  async fingerprintOf(userId: string): Promise<string> {
    const { stdout } = await this.gpg(['--with-colons', '--list-keys', userId]);
    const line = stdout.split('\n').find((row) => row.startsWith('fpr:'));
    if (!line) throw new Error(`no key for ${userId}`);
    return line.split(':')[9];
  }

  async importKey(armored: string): Promise<void> {
    await this.gpg(['--import', await this.write('import.asc', armored)]);
  }

  /** Decrypts and verifies; returns the plaintext and the machine-readable status lines. */
  async decrypt(armoredMessage: string): Promise<{ plaintext: string; status: string[] }> {
    const file = await this.write('message.asc', armoredMessage);
    const { stdout, stderr } = await this.gpg(['--status-fd', '2', '--decrypt', file]);
    return { plaintext: stdout, status: statusLines(stderr) };
  }

  /** What `gpg --clearsign`, `gpg --sign --armor` or `gpg --detach-sign --armor` makes of `data` with the given key. */
  async sign(mode: 'clearsign' | 'sign' | 'detach-sign', signer: string, data: string | Uint8Array): Promise<string> {
    const file = await this.write('data', data);
    const { stdout } = await this.gpg(['--local-user', signer, '--armor', '--output', '-', `--${mode}`, file]);
    return stdout;
  }

  /** `gpg --verify signature data`: whether gpg accepts it (exit status 0), and the status lines. */
  async verifyDetached(
    armoredSignature: string,
    data: string | Uint8Array,
  ): Promise<{ ok: boolean; status: string[] }> {
    const signatureFile = await this.write('signature.asc', armoredSignature);
    const dataFile = await this.write('signed-data', data);
    try {
      const { stderr } = await this.gpg(['--status-fd', '2', '--verify', signatureFile, dataFile]);
      return { ok: true, status: statusLines(stderr) };
    } catch (error) {
      return { ok: false, status: statusLines(String((error as { stderr?: unknown }).stderr ?? '')) };
    }
  }

  /** Writes a file of its own in the home (never reusing a name), returns its path. */
  private async write(name: string, content: string | Uint8Array): Promise<string> {
    const file = join(this.home, `${++this.files}-${name}`);
    await writeFile(file, content);
    return file;
  }

  async destroy(): Promise<void> {
    await run('gpgconf', ['--homedir', this.home, '--kill', 'all']).catch(() => undefined);
    await rm(this.home, { recursive: true, force: true });
  }
}

function statusLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('[GNUPG:]'));
}
