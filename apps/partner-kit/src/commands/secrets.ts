import { readFile } from 'node:fs/promises';
import { KitError } from '../settings';

/**
 * A secret, never from the command line (other users see it in the process list): from a file,
 * from an environment variable, or typed at a prompt that does not echo it.
 */
export async function secret(
  what: string,
  file: string | undefined,
  fromEnvironment: string | undefined,
  variable: string,
): Promise<string> {
  if (file) {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new KitError(`cannot read the ${what} from ${file}`);
    });
    return text.replace(/\r?\n$/, '');
  }
  if (fromEnvironment) return fromEnvironment;
  if (!process.stdin.isTTY) throw new KitError(`give the ${what} in a file (see --help) or in ${variable}`);
  const { default: password } = await import('@inquirer/password');
  return password({ message: `The ${what}:`, mask: false });
}
