import { SingleBar } from 'cli-progress';
import { keyExpiryWarning, openForPull, PullingKit } from '../context';
import { pull, PullSummary } from '../pull';
import { withPullLock } from '../pull-lock';
import { KitError } from '../settings';
import { newerKitWarning } from '../version';
import { Output } from './output';

export interface PullCommandOptions {
  includeRed?: boolean;
  json?: boolean;
}

/** Exit status of a pull that refused entries: scripts and cron mail tell it from a failure to run. */
export const REFUSED_EXIT = 3;

export async function pullCommand(home: string, options: PullCommandOptions): Promise<void> {
  const output = new Output(options.json ?? false);
  const { kit, summary } = await withPullLock(home, async () => {
    const opened = await openForPull(home);
    output.warn(await keyExpiryWarning(opened.key));
    output.warn(newerKitWarning(await opened.broker.kitRelease()));
    return { kit: opened, summary: await runPull(opened, options.includeRed ?? opened.settings.includeRed, output) };
  });
  for (const line of summaryLines(summary, kit.settings.out)) output.line(line);
  output.result({ ...summary, out: kit.settings.out });
  if (summary.refused.length > 0)
    throw new KitError(
      `${summary.refused.length} entries refused (see above); they are tried again on the next pull`,
      REFUSED_EXIT,
    );
}

/** One pull, with a progress bar for a person at a terminal. */
export async function runPull(kit: PullingKit, includeRed: boolean, output: Output): Promise<PullSummary> {
  const bar =
    !output.json && process.stderr.isTTY
      ? new SingleBar({ stream: process.stderr, format: 'Pulling {bar} {value}/{total} entries' })
      : null;
  try {
    return await pull(kit, {
      includeRed,
      onStart: (total) => bar?.start(total, 0),
      onEntry: () => bar?.increment(),
    });
  } finally {
    bar?.stop();
  }
}

export function summaryLines(summary: PullSummary, out: string): string[] {
  if (summary.entries === 0) return ['Nothing new.'];
  const labels = Object.entries(summary.byLabel)
    .filter(([, count]) => count > 0)
    .map(([label, count]) => `${count} ${label}`);
  return [
    `${summary.entries} entries: ${summary.items} item versions written${labels.length > 0 ? ` (${labels.join(', ')})` : ''}, ${summary.recalls} recalls applied.`,
    ...(summary.held > 0
      ? [`${summary.held} TLP:RED entries left unopened at the broker: pull with --include-red to open them.`]
      : []),
    ...summary.refused.map(
      (refusal) => `REFUSED delivery ${refusal.deliveryId} (item ${refusal.itemId}): ${refusal.reason}`,
    ),
    `Written to ${out}: stix/ (a STIX 2.1 bundle per item), misp/ (a MISP feed), json/ (the signed documents).`,
  ];
}
