/**
 * Figure 2: an urgent alert (TLP:RED, to one named contact whose personal channel is e-mail)
 * published while a large fan-out is under way: from the POST /items answer until its delivery is
 * committed as sent (polled every 5 ms), and until the partners' SMTP server has the message.
 * Each trial starts a fan-out of a 20 KB advisory to the background partners, posts the alert
 * 50–200 ms after that POST answered, and lets the fan-out finish before the next trial. The
 * reference is the same alert with nothing else running.
 */
import type { BenchBroker } from './e2e-broker';
import { cpuMeter, CpuUse, describeCpu } from './e2e-diagnostics';
import { advisory, deliveryCounts, ITEM_DOCUMENT_BYTES, publish, watchDeliveries } from './e2e-items';
import { BACKGROUND_PARTNERS, DutyOfficer } from './e2e-partners';
import { Draw } from './draw';
import { int, ms, percentile, sleep } from './e2e-report';

const SEED = 20250602;
const ALERT_POLL_MS = 5;

export interface AlertTrial {
  /** POST /items answered → the e-mail delivery committed as sent. */
  readonly committedMs: number;
  /** POST /items answered → the alert's delivery row existed (routed: decided and queued). */
  readonly routedMs: number;
  /** POST /items answered → the SMTP server had the whole message. */
  readonly mailMs: number;
}

export interface LoadedTrial extends AlertTrial {
  readonly delayMs: number;
  /** The background fan-out's deliveries when the alert was posted: rows queued, handed over. */
  readonly atPost: { total: number; handed: number };
  /** The background fan-out's deliveries handed over when the alert's was committed. */
  readonly handedAtAlert: number;
  /** From the background advisory's POST /items answer until its last delivery was committed. */
  readonly backgroundMs: number;
}

export interface AlertResult {
  readonly idle: AlertTrial[];
  readonly loaded: LoadedTrial[];
  readonly backgroundRecipients: number;
  /** Over the trials under load. */
  readonly loadedCpu: CpuUse;
}

export interface Summary {
  readonly median: number;
  readonly p99: number;
  readonly worst: number;
}

export function summary(values: readonly number[]): Summary {
  return { median: percentile(values, 50), p99: percentile(values, 99), worst: Math.max(...values) };
}

async function alertTrial(broker: BenchBroker, officer: DutyOfficer, trial: string): Promise<AlertTrial> {
  const published = await publish(broker, {
    type: 'alert',
    title: `Active exploitation of the edge VPN appliance, ${trial}`,
    summary: 'Unauthenticated remote code execution under active exploitation; patch or isolate now.',
    body: 'Exploitation observed from 02:10 UTC against three police networks. Isolate the management interface.\n'.repeat(
      8,
    ),
    tlp: 'TLP:RED',
    pap: 'PAP:RED',
    severity: 'critical',
    audience: { communities: [], organisations: [], contacts: [officer.contactId] },
  });
  // The subject names the item by the first eight hex digits of its id and its version.
  const mail = broker.mail.received(`${published.itemId.slice(0, 8)} v1`, 120_000);
  const watched = await watchDeliveries(broker.db, published.versionId, 1, {
    intervalMs: ALERT_POLL_MS,
    timeoutMs: 120_000,
    channelId: officer.emailChannelId,
  });
  const mailAt = await mail;
  return {
    committedMs: watched.allHandedAt - published.answeredAt,
    routedMs: watched.routedAt - published.answeredAt,
    mailMs: mailAt - published.answeredAt,
  };
}

async function loadedTrial(
  broker: BenchBroker,
  officer: DutyOfficer,
  recipients: number,
  index: number,
  delayMs: number,
): Promise<LoadedTrial> {
  const text = advisory(
    `Routine advisory ${index + 1}: phishing indicators of the week`,
    ITEM_DOCUMENT_BYTES,
    SEED + index,
  );
  const background = await publish(broker, {
    type: 'advisory',
    ...text,
    tlp: 'TLP:GREEN',
    pap: 'PAP:GREEN',
    severity: 'medium',
    audience: { communities: [BACKGROUND_PARTNERS] },
  });
  await sleep(Math.max(0, background.answeredAt + delayMs - performance.now()));
  const atPost = await deliveryCounts(broker.db, background.versionId);
  const alert = await alertTrial(broker, officer, `under load ${index + 1}`);
  const handedAtAlert = (await deliveryCounts(broker.db, background.versionId)).handed;
  const finished = await watchDeliveries(broker.db, background.versionId, recipients, {
    intervalMs: 50,
    timeoutMs: 120_000 + recipients * 100,
    label: `trial ${index + 1}: background fan-out`,
  });
  return {
    ...alert,
    delayMs,
    atPost: { total: atPost.total, handed: atPost.handed },
    handedAtAlert,
    backgroundMs: finished.allHandedAt - background.answeredAt,
  };
}

export async function figureAlerts(
  broker: BenchBroker,
  officer: DutyOfficer,
  settings: { trials: number; referenceTrials: number; backgroundRecipients: number },
): Promise<AlertResult> {
  const draw = new Draw(SEED);
  const idle: AlertTrial[] = [];
  for (let i = 0; i < settings.referenceTrials; i++) {
    idle.push(await alertTrial(broker, officer, `idle ${i + 1}`));
    await sleep(300);
  }
  const loaded: LoadedTrial[] = [];
  const cpu = await cpuMeter({ dispatcher: broker.dispatcher.pid!, api: broker.api.pid! }, broker);
  for (let i = 0; i < settings.trials; i++) {
    const trial = await loadedTrial(broker, officer, settings.backgroundRecipients, i, draw.int(50, 200));
    loaded.push(trial);
    console.log(
      `  trial ${String(i + 1).padStart(2)}: alert posted ${trial.delayMs} ms into the fan-out ` +
        `(${int(trial.atPost.total)} queued, ${int(trial.atPost.handed)} delivered) → routed ${ms(trial.routedMs)}, committed ${ms(trial.committedMs)}, ` +
        `mail received ${ms(trial.mailMs)}; the fan-out had delivered ${int(trial.handedAtAlert)}/${int(settings.backgroundRecipients)} by then, ` +
        `all of it after ${ms(trial.backgroundMs)}`,
    );
  }
  return { idle, loaded, backgroundRecipients: settings.backgroundRecipients, loadedCpu: await cpu() };
}

export function printAlerts(result: AlertResult): void {
  const line = (label: string, values: number[]) => {
    const s = summary(values);
    return `  ${label}: median ${ms(s.median)}, p99 ${ms(s.p99)}, worst ${ms(s.worst)}`;
  };
  const phases = [
    ['routed (delivery row queued)', (t: AlertTrial) => t.routedMs],
    ['committed as sent', (t: AlertTrial) => t.committedMs],
    ['received by the SMTP server', (t: AlertTrial) => t.mailMs],
  ] as const;
  console.log(`  idle (${result.idle.length} trials), from the POST /items answer:`);
  for (const [label, value] of phases) console.log(line(`  ${label}`, result.idle.map(value)));
  console.log(
    `  during a ${int(result.backgroundRecipients)}-recipient fan-out (${result.loaded.length} trials), from the POST /items answer:`,
  );
  for (const [label, value] of phases) console.log(line(`  ${label}`, result.loaded.map(value)));
  console.log(`  CPU over the trials under load, in cores: ${describeCpu(result.loadedCpu)}`);
  const background = summary(result.loaded.map((t) => t.backgroundMs));
  console.log(
    `  the ${int(result.backgroundRecipients)}-recipient fan-outs themselves (partners whose keys the dispatcher had read before, an alert among them), ` +
      `from POST /items to the last delivery committed: median ${ms(background.median)}, worst ${ms(background.worst)}`,
  );
  const overtook = result.loaded.filter((t) => t.handedAtAlert < result.backgroundRecipients).length;
  console.log(
    `  the alert was committed before its fan-out finished in ${overtook}/${result.loaded.length} trials ` +
      '(p99 is the nearest-rank percentile: with 20 trials it is the worst one).',
  );
}
