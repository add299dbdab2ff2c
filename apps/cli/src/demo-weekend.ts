import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { call, eventually, publishItem, RegisteredPartner, waitForRouting } from '@tlp-broker/harness';

/** What the demonstration's paging gateways and the team's duty officer hook received. */
export interface DemoHooks {
  readonly url: string;
  readonly received: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** A local HTTP endpoint standing in for partners' SMS gateways and the team's duty officer pager. */
export async function startDemoHooks(): Promise<DemoHooks> {
  const received: DemoHooks['received'] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        received.push({ path: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString()) });
      } catch {
        // Not JSON: nothing the demonstration shows.
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The coming Saturday, 23:40 in Paris: where the demonstration's clock starts (CLOCK_START). */
export function comingSaturdayNight(now: Date = new Date()): string {
  const paris = DateTime.fromJSDate(now, { zone: 'Europe/Paris' });
  const saturday = paris.plus({ days: (6 - paris.weekday + 7) % 7 || 7 });
  return saturday.set({ hour: 23, minute: 40, second: 0, millisecond: 0 }).toISO({ suppressMilliseconds: true })!;
}

/** The settings that make escalation visible within the demonstration: seconds, not minutes. */
export function weekendSettings(hooks: DemoHooks): Record<string, string> {
  return {
    CLOCK_START: comingSaturdayNight(),
    ACK_DEADLINES: 'critical=12s,other=60m',
    DUTY_OFFICER_AFTER: 'critical=24s,other=120m',
    ESCALATION_POLL_MS: '500',
    DUTY_OFFICER_URL: `${hooks.url}/team-duty-officer`,
    DUTY_OFFICER_SECRET: 'demo duty officer hook secret',
    // The partners' paging gateways of the demonstration answer on this machine.
    WEBHOOK_ALLOW_LIST: '127.0.0.1',
  };
}

interface WeekendDemo {
  readonly base: string;
  readonly keys: { readonly admin: string; readonly analyst: string };
  readonly log: (line?: string) => void;
}

/**
 * A critical alert on Saturday night: both partners are outside their business hours, so their
 * paging hooks are paged (without content); EC3 acknowledges through its feed API, Interpol does
 * not, so the alert is sent again to Interpol's on-call channels and then the team's duty officer is told.
 */
export async function weekendAlert(
  demo: WeekendDemo,
  hooks: DemoHooks,
  ec3: RegisteredPartner,
  interpol: RegisteredPartner,
): Promise<void> {
  const { log } = demo;
  log();
  log(`A weekend alert (the demonstration's clock started on Saturday night in Paris):`);
  for (const [partner, path] of [
    [ec3, 'ec3-pager'],
    [interpol, 'interpol-pager'],
  ] as const) {
    await call(demo.base, 'POST', `/organisations/${partner.id}/on-call`, {
      key: demo.keys.admin,
      json: { kind: 'pager', address: `${hooks.url}/${path}` },
    });
    const availability = await call<{ reason: string }>(demo.base, 'GET', `/organisations/${partner.id}/availability`, {
      key: demo.keys.analyst,
    });
    log(`  ${partner.name}: paging hook registered; ${availability.reason}`);
  }
  const alert = await publishItem(demo.base, demo.keys.analyst, {
    type: 'alert',
    title: 'Imminent takedown of the Black Lotus botnet: expect retaliation',
    tlp: 'TLP:AMBER',
    severity: 'critical',
    audience: { organisations: [ec3.id, interpol.id] },
  });
  const decisions = await waitForRouting(demo.base, demo.keys.analyst, alert.id);
  for (const decision of decisions.filter((d) => d.code === 'pager.notice'))
    log(`  paged ${decision.organisation}: ${decision.reason}`);
  const page = await eventually(async () => hooks.received.find((call) => call.path === '/ec3-pager'), 15_000);
  log(`  what a pager receives (no content): ${JSON.stringify(page.body)}`);

  const ec3Delivery = decisions.find((d) => d.organisationId === ec3.id && d.allow && d.code !== 'pager.notice')!;
  await call(demo.base, 'POST', `/feed/${ec3Delivery.delivery!.id}/ack`, { key: ec3.feedKey });
  log(`  Europol EC3 acknowledges through its feed API (POST /feed/${ec3Delivery.delivery!.id}/ack)`);
  log('  Interpol does not: waiting for its deadline (12 s here; 15 minutes for critical by default)…');
  await eventually(async () => hooks.received.some((call) => call.path === '/team-duty-officer'), 60_000, 200);
  const view = await call<{
    recipients: {
      organisation: string;
      acknowledgedBy: string | null;
      via: string | null;
      escalationStep: number;
    }[];
  }>(demo.base, 'GET', `/items/${alert.id}/acknowledgements`, { key: demo.keys.analyst });
  for (const recipient of view.recipients)
    log(
      `  ${recipient.organisation}: ${
        recipient.acknowledgedBy
          ? `acknowledged by ${recipient.acknowledgedBy} (${recipient.via})`
          : `not acknowledged; escalation step ${recipient.escalationStep}: sent again to its on-call channels and paging hook, then the team's duty officer told`
      }`,
    );
  const pages = hooks.received.filter((call) => call.path === '/interpol-pager' && call.body.reference === alert.id);
  log(`  Interpol's pager was paged ${pages.length} times; the team's duty officer hook received one notice`);
}
