import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { http, HttpResult } from './http';

export const TAXII = 'application/taxii+json;version=2.1';

export type Stix = { type: string; id: string; [property: string]: unknown };

/** Official objects from OASIS cti-stix-common-objects: the TLP 2.0 extension and marking definitions. */
const OFFICIAL = join(__dirname, '..', 'fixtures', 'cti-stix-common-objects');
const official = (...path: string[]) =>
  (JSON.parse(readFileSync(join(OFFICIAL, ...path), 'utf8')) as { objects: Stix[] }).objects[0];
export const TLP_EXTENSION = official(
  'objects',
  'extension-definition',
  'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json',
);
export const TLP_AMBER = official('extension-definition-specifications', 'tlp-2.0', 'examples', 'tlp-amber.json');
export const TLP_GREEN = official(
  'objects',
  'marking-definition',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb.json',
);
export const TLP_RED = official(
  'objects',
  'marking-definition',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1.json',
);

let serial = 0;
/** A fresh STIX id of the type (UUID v4 form, as the schemas require). */
export function stixId(type: string): string {
  serial += 1;
  return `${type}--7b3e9c41-5d2a-4f6e-9a8b-${String(serial).padStart(12, '0')}`;
}

export const CREATED = '2026-03-02T09:15:00.000Z';

export function indicator(domain: string, markings: Stix[] = []): Stix {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: stixId('indicator'),
    created: CREATED,
    modified: CREATED,
    name: `Phishing domain ${domain}`,
    indicator_types: ['malicious-activity'],
    pattern: `[domain-name:value = '${domain}']`,
    pattern_type: 'stix',
    valid_from: '2026-03-02T09:15:00Z',
    ...(markings.length > 0 ? { object_marking_refs: markings.map((marking) => marking.id) } : {}),
  };
}

export function report(name: string, refs: Stix[], markings: Stix[]): Stix {
  return {
    type: 'report',
    spec_version: '2.1',
    id: stixId('report'),
    created: CREATED,
    modified: CREATED,
    name,
    report_types: ['threat-report'],
    published: '2026-03-02T09:30:00Z',
    object_refs: refs.map((object) => object.id),
    object_marking_refs: markings.map((marking) => marking.id),
  };
}

/**
 * A TAXII 2.1 client as the specification describes one: discovery, the API root it names, the
 * collections there, the one it may write to, Add Objects (an envelope in TAXII's media type,
 * answered 202 with a status resource), and Get Status.
 */
export class TaxiiClient {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  /** The broker names its API roots by its public URL; the test reaches it on its loopback address. */
  private path(url: string): string {
    const { pathname, search } = new URL(url, 'https://broker.test.example');
    return `${pathname}${search}`;
  }

  get(url: string): Promise<HttpResult<any>> {
    return http(this.base, 'GET', this.path(url), { key: this.key, headers: { accept: TAXII } });
  }

  post(url: string, body: unknown, contentType = TAXII): Promise<HttpResult<any>> {
    return http(this.base, 'POST', this.path(url), {
      key: this.key,
      headers: { accept: TAXII, 'content-type': contentType },
      raw: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async apiRoot(): Promise<string> {
    const discovery = await this.get('/taxii2/');
    expect(discovery.status).toBe(200);
    return discovery.body.default as string;
  }

  async collections(): Promise<{ id: string; title: string; can_read: boolean; can_write: boolean }[]> {
    const answer = await this.get(`${await this.apiRoot()}collections/`);
    expect(answer.status).toBe(200);
    return answer.body.collections;
  }

  /**
   * Every object of a collection (GET …/objects/ with `match` filters), page by page as the
   * specification has a client do it: `limit`, then `next` while `more` says there is more.
   */
  async allObjects(collectionId: string, limit: number, filters = ''): Promise<Stix[]> {
    const objects: Stix[] = [];
    let next: string | undefined;
    for (let page = 0; page < 500; page += 1) {
      const query = `limit=${limit}${filters ? `&${filters}` : ''}${next ? `&next=${encodeURIComponent(next)}` : ''}`;
      const answer = await this.get(`${await this.apiRoot()}collections/${collectionId}/objects/?${query}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.headers.get('content-type')).toContain('application/taxii+json');
      expect(answer.body.objects?.length ?? 0).toBeLessThanOrEqual(limit);
      objects.push(...((answer.body.objects as Stix[] | undefined) ?? []));
      if (!answer.body.more) return objects;
      next = answer.body.next as string;
      expect(next).toEqual(expect.any(String));
    }
    throw new Error('more than 500 pages');
  }

  async inbox(): Promise<string> {
    const writable = (await this.collections()).filter((collection) => collection.can_write);
    expect(writable).toHaveLength(1);
    return `${await this.apiRoot()}collections/${writable[0].id}/`;
  }

  async add(objects: unknown[]): Promise<HttpResult<any>> {
    return this.post(`${await this.inbox()}objects/`, { objects });
  }

  async status(id: string): Promise<HttpResult<any>> {
    return this.get(`${await this.apiRoot()}status/${id}/`);
  }
}
