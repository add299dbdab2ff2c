import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';

/** The partner kit as `npm run build` packs it: the file `npx` runs. */
export const KIT_BIN = join(__dirname, '..', '..', 'dist', 'partner-kit', 'package', 'tlp-broker-partner.cjs');
export const KIT_PACKAGE = join(__dirname, '..', '..', 'dist', 'partner-kit', 'tlp-broker-partner.tgz');

export interface KitRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A partner's machine: the kit's home (settings, state, output) and where its secrets are kept. */
export class KitHome {
  private constructor(readonly directory: string) {}

  static async create(): Promise<KitHome> {
    return new KitHome(await mkdtemp(join(tmpdir(), 'tlpb-partner-')));
  }

  get home(): string {
    return join(this.directory, 'home');
  }

  get out(): string {
    return join(this.home, 'out');
  }

  /** A file beside the home (an API key, a key file, a passphrase), as the partner keeps them. */
  async file(name: string, content: string): Promise<string> {
    const path = join(this.directory, name);
    await writeFile(path, content, { mode: 0o600 });
    return path;
  }

  read(...path: string[]): Promise<string> {
    return readFile(join(this.out, ...path), 'utf8');
  }

  async json<T = Record<string, unknown>>(...path: string[]): Promise<T> {
    return JSON.parse(await this.read(...path)) as T;
  }

  run(args: readonly string[], env: Record<string, string> = {}): Promise<KitRun> {
    return runKit(['--home', this.home, ...args], env);
  }

  /** `init` with an armored key file (protected by a passphrase when one is given). */
  async init(broker: string, apiKey: string, key: openpgp.PrivateKey, teamFingerprint: string, more: string[] = []) {
    const passphrase = 'partner key passphrase';
    const locked = await openpgp.encryptKey({ privateKey: key, passphrase });
    return this.run([
      'init',
      '--broker',
      broker,
      '--api-key-file',
      await this.file('api-key.txt', `${apiKey}\n`),
      '--key',
      await this.file('partner.asc', locked.armor()),
      '--passphrase-file',
      await this.file('passphrase.txt', passphrase),
      '--team-fingerprint',
      teamFingerprint,
      ...more,
    ]);
  }

  /** `serve` on a free loopback port, until stopped; resolves once it prints its TAXII address. */
  async serve(args: readonly string[] = []): Promise<{ url: string; token: string; stop: () => Promise<void> }> {
    const child = spawn(process.execPath, [KIT_BIN, '--home', this.home, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /TAXII 2\.1: (https?:\/\/\S+)\/taxii2\//.exec(out);
        if (found) resolve(found[1]);
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    const token = (await readFile(join(this.home, 'serve-token'), 'utf8')).trim();
    return { url, token, stop: () => stop(child) };
  }

  async remove(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function runKit(args: readonly string[], env: Record<string, string> = {}): Promise<KitRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [KIT_BIN, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The JSON a command printed with --json. */
export function printed<T = Record<string, unknown>>(run: KitRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

/** `npx <package> …args`, as a partner runs the kit the broker hands out (the npm cache kept from `npm ci`). */
export function runWithNpx(spec: string, args: readonly string[]): Promise<KitRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--yes', '--prefer-offline', spec, ...args],
      { timeout: 120_000, env: { ...process.env, npm_config_update_notifier: 'false' } },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
    );
  });
}
