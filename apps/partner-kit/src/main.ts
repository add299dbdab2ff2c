#!/usr/bin/env node
import { Command, Option } from 'commander';
import { check, pin } from './commands/admin';
import { ack, submit } from './commands/exchange';
import { init, InitOptions } from './commands/init';
import { pullCommand } from './commands/pull-command';
import { serve } from './commands/serve-command';
import { defaultHome, KitError } from './settings';
import { kitVersion } from './version';

const collect = (value: string, previous: string[]) => [...previous, value];

function program(): Command {
  const kit = new Command('tlp-broker-partner')
    .description(
      "A partner's side of tlp-broker: pulls what the team delivered to your channel, decrypts it with your key, verifies the team's pinned signature, and hands cleartext STIX 2.1 and MISP to your own tools.",
    )
    .version(kitVersion ?? 'development')
    .addOption(new Option('--home <dir>', 'settings and state (0700)').env('TLPB_PARTNER_HOME').default(defaultHome()))
    .addOption(new Option('--debug', 'print the stack of an unexpected error').env('TLPB_PARTNER_DEBUG').hideHelp())
    .showHelpAfterError();
  const home = () => String(kit.opts<{ home: string }>().home);
  setupCommands(kit, home);
  exchangeCommands(kit, home);
  return kit;
}

/** Setting up and keeping watch: init, check, pin. */
function setupCommands(kit: Command, home: () => string): void {
  kit
    .command('init')
    .description('set the kit up: broker, API key, your private key, the team fingerprint you obtained out of band')
    .requiredOption('--broker <url>', "the broker's URL, e.g. https://broker.example.org")
    .option('--api-key-file <file>', "the channel's API key (or TLPB_PARTNER_API_KEY, or typed at a prompt)")
    .option('--key <file>', 'your armored OpenPGP private key (copied into --home, readable by you only)')
    .option('--passphrase-file <file>', "the key's passphrase (or TLPB_PARTNER_PASSPHRASE, or typed at a prompt)")
    // Read from the environment by commander; given on the command line, they are refused (see init).
    .addOption(new Option('--api-key-env <key>').env('TLPB_PARTNER_API_KEY').hideHelp())
    .addOption(new Option('--passphrase-env <passphrase>').env('TLPB_PARTNER_PASSPHRASE').hideHelp())
    .option('--gpg', "use GnuPG's keyring and agent instead of --key")
    .option('--gpg-homedir <dir>', "GnuPG's home (default: GnuPG's own)")
    .option('--gpg-key <fingerprint>', 'your key in the GnuPG keyring, when it holds several')
    .requiredOption(
      '--team-fingerprint <fingerprint>',
      "the team key's fingerprint, checked with the team over another channel (repeatable)",
      collect,
      [],
    )
    .option('--out <dir>', 'where pull writes STIX bundles, the MISP feed and the documents (default: <home>/out)')
    .option('--include-red', 'open, write and serve TLP:RED too (it is never written or served otherwise)')
    .option('--serve-host <host>', 'address serve listens on', '127.0.0.1')
    .option('--serve-port <port>', 'port serve listens on', '8470')
    .option('--json', 'print JSON for scripts')
    .action((options: InitOptions, command: Command) => init(home(), options, secretsSource(command)));
  kit
    .command('check')
    .description(
      "check the pinned team key against the team's signed security.txt and RFC 2350 profile, and your key's expiry",
    )
    .option('--json', 'print JSON for scripts')
    .action((options) => check(home(), options));
  kit
    .command('pin')
    .description('pin one more team fingerprint (after a key rotation confirmed with the team)')
    .argument('<fingerprint>')
    .option('--json', 'print JSON for scripts')
    .action((fingerprint: string, options) => pin(home(), fingerprint, options));
}

/** Taking from the team and speaking back: pull, serve, ack, submit. */
function exchangeCommands(kit: Command, home: () => string): void {
  kit
    .command('pull')
    .description(
      'fetch what is new, decrypt, verify, apply recalls, and write STIX 2.1, MISP and JSON (safe to run from cron)',
    )
    .option('--include-red', 'open and write TLP:RED entries this time')
    .option('--json', 'print a JSON summary for scripts')
    .action((options) => pullCommand(home(), options));
  kit
    .command('serve')
    .description('serve the decrypted items over TAXII 2.1 and as a MISP feed (read-only), pulling on a timer')
    .option('--host <host>', 'address to listen on (default: the one set at init, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (0: any free one)')
    .option('--include-red', 'serve TLP:RED too')
    .option('--pull-every <seconds>', 'pull again every so many seconds (0: never)', '300')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM), for tools on other machines')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--json', 'print JSON for scripts')
    .action((options) => serve(home(), options));
  kit
    .command('ack')
    .description('acknowledge an urgent item: its reference (1a2b3c4d), item id or delivery id')
    .argument('<reference>')
    .option('--json', 'print JSON for scripts')
    .action((reference: string, options) => ack(home(), reference, options));
  kit
    .command('submit')
    .description('send a report or STIX bundle to the team, signed with your key and encrypted to the team key')
    .argument('<file>')
    .option('--json', 'print JSON for scripts')
    .action((file: string, options) => submit(home(), file, options));
}

/** Where init's secrets came from: a secret typed on the command line is seen by every user of the machine. */
function secretsSource(command: Command): { onCommandLine: boolean } {
  return {
    onCommandLine: ['apiKeyEnv', 'passphraseEnv'].some((name) => command.getOptionValueSource(name) === 'cli'),
  };
}

const cli = program();
cli.parseAsync(process.argv).catch((error: unknown) => {
  const known = error instanceof KitError;
  process.stderr.write(`tlp-broker-partner: ${error instanceof Error ? error.message : String(error)}\n`);
  if (!known && cli.opts<{ debug?: boolean }>().debug && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  process.exitCode = known ? error.exitCode : 1;
});
