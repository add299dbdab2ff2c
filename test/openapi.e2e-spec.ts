import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, TestBroker } from './support/broker';
import { http } from './support/http';
import { itemBody, waitForRouting } from './support/items';
import { answerChecker, committedOpenApiDocument, REGENERATE, unresolvedRefs } from './support/openapi';
import { registerContact, registerPartner, TestPartner } from './support/partners';

/**
 * The OpenAPI document the API serves is the one the console's typed client is generated from, and
 * the API answers as it says: real answers checked against the schema of their route and status.
 */
describe('OpenAPI document', () => {
  let broker: TestBroker;
  let partner: TestPartner;
  let served: any;
  let check: ReturnType<typeof answerChecker>;
  let itemId: string;

  beforeAll(async () => {
    broker = await startBroker();
    partner = await registerPartner(broker.url, broker.adminKey, {
      name: 'Interpol',
      kind: 'lea',
      relation: 'peer',
      communities: ['intl-lea'],
    });
    await registerContact(broker.url, broker.adminKey, partner.id, 'Duty Officer');
    served = (await http(broker.url, 'GET', '/docs-json')).body;
    check = answerChecker(served);
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
  });

  it('served at /docs-json is the committed apps/console/src/api/openapi.json', () => {
    expect(served, `the API serves another document than apps/console/src/api/openapi.json: ${REGENERATE}`).toEqual(
      committedOpenApiDocument(),
    );
    expect(unresolvedRefs(served)).toEqual([]);
  });

  it('describes the answer to publishing', async () => {
    const published = await http(broker.url, 'POST', '/items', {
      key: broker.analystKey,
      json: itemBody({
        title: 'Phishing wave',
        tlp: 'TLP:CLEAR',
        audience: { communities: ['intl-lea'] },
        indicators: [{ type: 'ipv4', value: '203.0.113.7', description: 'sender' }],
      }),
    });
    expect(published.status).toBe(201);
    expect(check('POST', '/items', 201, published.body)).toEqual([]);
    itemId = published.body.id;
    await waitForRouting(broker.url, broker.analystKey, itemId);
  });

  it('describes what staff, partners and everyone read', async () => {
    const reads: [documented: string, path: string, key: string | undefined][] = [
      ['/items/{id}', `/items/${itemId}`, broker.analystKey],
      ['/items/{id}/decisions', `/items/${itemId}/decisions`, broker.analystKey],
      ['/items/{id}/explain', `/items/${itemId}/explain?organisation=${partner.id}`, broker.analystKey],
      ['/organisations', '/organisations', broker.adminKey],
      ['/organisations/{id}', `/organisations/${partner.id}`, broker.adminKey],
      ['/deliveries', '/deliveries', broker.adminKey],
      ['/keys', '/keys', broker.adminKey],
      ['/caveats', '/caveats', broker.analystKey],
      ['/submissions', '/submissions', broker.analystKey],
      ['/feed', '/feed', partner.feedKey],
      ['/team/key', '/team/key', undefined],
      ['/team/keys', '/team/keys', undefined],
      ['/team/profile.json', '/team/profile.json', undefined],
      ['/public/items', '/public/items', undefined],
    ];
    for (const [documented, path, key] of reads) {
      const answer = await http(broker.url, 'GET', path, { key });
      expect(answer.status, path).toBe(200);
      expect(check('GET', documented, 200, answer.body), path).toEqual([]);
    }
  });
});
