import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot, VIEW_SCHEMAS_FILE, viewNames, viewSchemaGenerator } from '../../../../scripts/openapi-views';
import { REGENERATE } from '../../../../test/support/openapi';

const root = repositoryRoot(__dirname);
const committed = JSON.parse(readFileSync(join(root, VIEW_SCHEMAS_FILE), 'utf8'));

/** The answers' schemas in the OpenAPI document come from the view types through view-schemas.json. */
describe('view schemas (apps/api/src/openapi/view-schemas.json)', () => {
  let generate: ReturnType<typeof viewSchemaGenerator>;

  beforeAll(() => {
    generate = viewSchemaGenerator(root);
  }, 120_000);

  it('has a schema for every view a route answers with (@ApiView)', () => {
    const names = viewNames(root);
    expect(names).toEqual(expect.arrayContaining(['ItemView', 'OrganisationView', 'DecisionsView']));
    const missing = names.filter((name) => !(name in committed));
    expect(missing, `@ApiView names views that view-schemas.json lacks: ${REGENERATE}`).toEqual([]);
  });

  it('is what the view types generate now', () => {
    expect(committed, `view-schemas.json is out of date with the view types: ${REGENERATE}`).toEqual(
      generate(viewNames(root)),
    );
  }, 60_000);

  it('gives dates as date-time strings and nullable fields as such', () => {
    expect(committed.ItemView.properties.createdAt).toEqual({ type: 'string', format: 'date-time' });
    expect(committed.ItemView.properties.approvedAt).toEqual({
      anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
    });
    expect(committed.DecisionsView.properties.item).toEqual({ $ref: '#/components/schemas/ItemView' });
  });

  it('refuses a view name no exported type has', () => {
    expect(() => generate(['NoSuchView'])).toThrow(/@ApiView\('NoSuchView'\): no exported type/);
  });
});
