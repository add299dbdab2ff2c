import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stixSchemaDirectory, stixSchemaErrors } from './stix-validator';

const INDICATOR = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
  created: '2026-03-02T09:15:00.000Z',
  modified: '2026-03-02T09:15:00.000Z',
  name: 'Phishing landing page',
  pattern: "[url:value = 'https://login-bank.example/verify']",
  pattern_type: 'stix',
  valid_from: '2026-03-02T09:15:00Z',
  object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
};

const elapsed = (run: () => unknown) => {
  const start = performance.now();
  run();
  return performance.now() - start;
};

describe('stixSchemaErrors', () => {
  it('accepts valid objects of the specification, observables and the official TLP 2.0 markings', () => {
    expect(stixSchemaErrors(INDICATOR)).toEqual([]);
    expect(
      stixSchemaErrors({
        type: 'domain-name',
        spec_version: '2.1',
        id: `domain-name--${uuid(1)}`,
        value: 'bank.example',
      }),
    ).toEqual([]);
    const official = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'cti-stix-common-objects', 'objects');
    const red = JSON.parse(
      readFileSync(
        join(official, 'marking-definition', 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1.json'),
        'utf8',
      ),
    ) as { objects: unknown[] };
    for (const object of red.objects) expect(stixSchemaErrors(object)).toEqual([]);
  });

  it('names what is missing or malformed', () => {
    const { pattern_type: _dropped, ...noPatternType } = INDICATOR;
    void _dropped;
    expect(stixSchemaErrors(noPatternType)).toEqual(["must have required property 'pattern_type'"]);
    expect(stixSchemaErrors({ ...INDICATOR, valid_from: 'yesterday' })).toEqual([
      expect.stringMatching(/^valid_from must match pattern/),
    ]);
    expect(stixSchemaErrors({ ...INDICATOR, id: `report--${uuid(2)}` })).toEqual([
      'id must match pattern "^indicator--"',
    ]);
    expect(stixSchemaErrors({ ...INDICATOR, spec_version: '2.0' })).toEqual(['spec_version must be "2.1"']);
    expect(stixSchemaErrors({ ...INDICATOR, object_marking_refs: ['tlp:amber'] })).toEqual([
      expect.stringMatching(/^object_marking_refs\.0 must match pattern/),
    ]);
    expect(stixSchemaErrors({ type: 'domain-name', id: `domain-name--${uuid(3)}`, value: 'not a host name' })).toEqual([
      'value must match format "idn-hostname"',
    ]);
    expect(stixSchemaErrors({ ...INDICATOR, pattern_type: 7 })).toEqual(['pattern_type must be string']);
    expect(stixSchemaErrors({ ...INDICATOR, x_acme_score: {} })).toEqual([]);
    expect(stixSchemaErrors({ ...INDICATOR, x_acme_tags: [] })).toEqual([
      'x_acme_tags must NOT have fewer than 1 items',
      'x_acme_tags must be string or integer or boolean or number or object',
    ]);
    expect(stixSchemaErrors({ ...INDICATOR, external_references: [{ source_name: 'x', url: null }] })).toEqual([
      'external_references.0.url must not be null: leave the property out',
    ]);
  });

  it('refuses what is not a STIX object at all', () => {
    expect(stixSchemaErrors('indicator')).toEqual(['must be a JSON object']);
    expect(stixSchemaErrors([INDICATOR])).toEqual(['must be a JSON object']);
    expect(stixSchemaErrors({ ...INDICATOR, type: 'Indicator' })).toEqual([
      expect.stringMatching(/^type must be a STIX type name/),
    ]);
    expect(stixSchemaErrors({ id: INDICATOR.id })).toEqual([expect.stringMatching(/^type must be/)]);
  });

  it('holds custom types to the common core: an object’s, or an observable’s', () => {
    const custom = {
      type: 'x-acme-case',
      spec_version: '2.1',
      id: `x-acme-case--${uuid(4)}`,
      created: '2026-03-02T09:15:00.000Z',
      modified: '2026-03-02T09:15:00.000Z',
      x_acme_priority: 3,
    };
    expect(stixSchemaErrors(custom)).toEqual([]);
    const { created: _created, ...noCreated } = custom;
    void _created;
    expect(stixSchemaErrors(noCreated)).toEqual(["must have required property 'created'"]);
    expect(stixSchemaErrors({ type: 'x-acme-host', id: `x-acme-host--${uuid(5)}`, name: 'h1' })).toEqual([]);
    expect(stixSchemaErrors({ ...custom, id: `x-other--${uuid(6)}` })).toEqual(['id must start with "x-acme-case--"']);
  });

  it('answers hostile strings quickly: nested-quantifier type names, CPE names, long language tags, extension names', () => {
    const typeName = `${'a'.repeat(60)}!`;
    expect(elapsed(() => expect(stixSchemaErrors({ ...INDICATOR, type: typeName })).not.toEqual([]))).toBeLessThan(200);
    const software = { type: 'software', id: `software--${uuid(7)}`, name: 'mailer' };
    const language = `aa${'-abcde'.repeat(300_000)}!`;
    let problems: string[] = [];
    expect(elapsed(() => (problems = stixSchemaErrors({ ...software, languages: [language] })))).toBeLessThan(1_000);
    expect(problems).toEqual(['languages.0 must be at most 300 characters']);
    const cpe = `cpe:2.3:a:${'cpe:2.3:a:'.repeat(28)}-`;
    expect(
      elapsed(() => {
        for (let i = 0; i < 100; i++) expect(stixSchemaErrors({ ...software, cpe })).not.toEqual([]);
      }),
    ).toBeLessThan(100);
    const genuine = { ...software, languages: ['fr-BE', 'nl'], cpe: 'cpe:2.3:a:acme:mailer:2.1:*:*:*:*:*:*:*' };
    expect(stixSchemaErrors(genuine)).toEqual([]);
    const extensions = { [`${'a'.repeat(60)}!-ext`]: {} };
    expect(elapsed(() => stixSchemaErrors({ ...INDICATOR, extensions }))).toBeLessThan(200);
  });
});

describe('stixSchemaDirectory', () => {
  const root = mkdtempSync(join(tmpdir(), 'tlpb-stix-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds libs/stix/schemas above a build output folder, and says so when there is none', () => {
    mkdirSync(join(root, 'libs', 'stix', 'schemas', 'common'), { recursive: true });
    writeFileSync(join(root, 'libs', 'stix', 'schemas', 'common', 'core.json'), '{}');
    const built = join(root, 'dist', 'libs', 'stix', 'src');
    mkdirSync(built, { recursive: true });
    expect(stixSchemaDirectory(built)).toBe(join(root, 'libs', 'stix', 'schemas'));
    expect(stixSchemaDirectory()).toBe(join(__dirname, '..', 'schemas'));
    expect(() => stixSchemaDirectory(tmpdir())).toThrow(/STIX 2\.1 JSON schemas/);
  });
});

function uuid(n: number): string {
  return `4a6e5c3b-2d1f-4e8a-9b7c-${String(n).padStart(12, '0')}`;
}
