import { HttpStatus } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { envelopeObjects, InboxRequest, sortObjects, StixRecord } from './inbox-envelope';
import { TaxiiError } from './taxii.types';

const TAXII = 'application/taxii+json;version=2.1';
const NOW = new Date('2026-03-02T10:00:00.000Z');

const INDICATOR: StixRecord = {
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--2f1e6a3b-7c9d-4e8f-a1b2-c3d4e5f60718',
  created: '2026-03-02T09:15:00.000Z',
  modified: '2026-03-02T09:20:00.000Z',
  pattern: "[ipv4-addr:value = '198.51.100.23']",
  pattern_type: 'stix',
  valid_from: '2026-03-02T09:15:00Z',
};

const post = (body: unknown, contentType: string | undefined = TAXII, contentLength?: string): InboxRequest => ({
  contentType,
  contentLength,
  body,
});

function refusal(run: () => unknown): { status: number; title: string; description: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof TaxiiError) {
      const body = error.getResponse() as { title: string; description: string };
      return { status: error.getStatus(), title: body.title, description: body.description };
    }
    throw error;
  }
  throw new Error('not refused');
}

describe('envelopeObjects', () => {
  it("takes a TAXII 2.1 envelope's objects, with or without the version parameter", () => {
    expect(envelopeObjects(post({ objects: [INDICATOR] }), 10_000).objects).toEqual([INDICATOR]);
    expect(envelopeObjects(post({ objects: [INDICATOR] }, 'application/taxii+json'), 10_000).objects).toHaveLength(1);
    expect(envelopeObjects(post({ objects: [INDICATOR] }, 'Application/TAXII+json; version=2.1'), 10_000).bytes).toBe(
      Buffer.byteLength(JSON.stringify({ objects: [INDICATOR] })),
    );
  });

  it('refuses other media types with 415, a STIX bundle included', () => {
    for (const contentType of [undefined, 'application/json', 'application/taxii+json;version=2.0']) {
      const request = { contentType, contentLength: undefined, body: { objects: [INDICATOR] } };
      expect(refusal(() => envelopeObjects(request, 10_000)).status).toBe(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
    }
    const bundle = refusal(() =>
      envelopeObjects(post({ type: 'bundle', objects: [INDICATOR] }, 'application/stix+json;version=2.1'), 10_000),
    );
    expect(bundle).toMatchObject({ status: 415, title: 'Unsupported media type' });
    expect(bundle.description).toContain('not a STIX bundle');
  });

  it('refuses more than max_content_length with 413, by Content-Length or by the body itself', () => {
    expect(refusal(() => envelopeObjects(post({ objects: [INDICATOR] }, TAXII, '5000'), 4_096))).toMatchObject({
      status: HttpStatus.PAYLOAD_TOO_LARGE,
      description: expect.stringContaining('at most 4096'),
    });
    expect(refusal(() => envelopeObjects(post({ objects: [INDICATOR] }), 100)).status).toBe(413);
  });

  it('refuses a malformed envelope with 400 naming what is wrong', () => {
    const cases: [unknown, string][] = [
      [[INDICATOR], 'the body must be a TAXII envelope'],
      [undefined, 'the body must be a TAXII envelope'],
      [{ objects: [] }, 'objects: a list of one or more'],
      [{ more: false }, 'objects: a list of one or more'],
      [{ objects: [INDICATOR, 'indicator'] }, 'objects[1]: a STIX object'],
      [{ objects: [{ ...INDICATOR, id: 7 }] }, 'objects[0]: a STIX object'],
    ];
    for (const [body, message] of cases) {
      expect(refusal(() => envelopeObjects(post(body), 10_000))).toMatchObject({
        status: 400,
        title: 'Invalid envelope',
        description: expect.stringContaining(message),
      });
    }
  });
});

describe('sortObjects', () => {
  it('takes valid objects and lists each invalid one with its reason and version', () => {
    const invalid = { ...INDICATOR, id: 'indicator--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', valid_from: 'soon' };
    const observable = { type: 'ipv4-addr', id: 'ipv4-addr--d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6', value: '1.2.3.4' };
    const { taken, successes, failures } = sortObjects([INDICATOR, invalid, observable], NOW);
    expect(taken).toEqual([INDICATOR, observable]);
    expect(successes).toEqual([
      { id: INDICATOR.id, version: '2026-03-02T09:20:00.000Z' },
      { id: observable.id, version: NOW.toISOString() },
    ]);
    expect(failures).toEqual([
      { id: invalid.id, version: INDICATOR.modified, message: expect.stringMatching(/^valid_from must match pattern/) },
    ]);
  });

  it('fails a nested bundle, text no stored value can carry, and a second copy of the same version', () => {
    const bundle = { type: 'bundle', id: 'bundle--5d0c1c6e-3f5a-4b7e-9c2d-8e1f0a9b7c6d', objects: [INDICATOR] };
    const nul = { ...INDICATOR, id: 'indicator--0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', name: 'a\u0000b' };
    const { taken, failures } = sortObjects([INDICATOR, bundle, nul, { ...INDICATOR }], NOW);
    expect(taken).toEqual([INDICATOR]);
    expect(failures.map((failure) => failure.message)).toEqual([
      'a bundle is not an object to add: post the objects it holds',
      expect.stringMatching(/^name /),
      'the same object version appears earlier in this envelope',
    ]);
  });
});
