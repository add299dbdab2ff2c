import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '@tlp-broker/config';
import type { SubmissionRecorder } from '@tlp-broker/intake';
import type { NewSubmission, PartnerFeedEntity, SubmissionRepository } from '@tlp-broker/persistence';
import { PAP_MARKINGS, TLP_MARKINGS } from '@tlp-broker/stix';
import { FeedIntake } from './feed-intake.service';
import type { Json } from './feed-readings';
import type { OpenedSealed, SealedContentReader } from './sealed-content';

const feed = { id: 'feed-1', organisationId: 'org-b' } as PartnerFeedEntity;
const ARMORED = '-----BEGIN PGP MESSAGE-----\n\nwV4D…\n-----END PGP MESSAGE-----\n';

function intake(opened: OpenedSealed | null = null, known = false) {
  const recorded: NewSubmission[] = [];
  const recorder = {
    record: vi.fn((submission: NewSubmission) => {
      recorded.push(submission);
      return Promise.resolve({ submission: {}, repeated: false, acknowledgement: null });
    }),
  } as unknown as SubmissionRecorder;
  const submissions = {
    byFeedObject: vi.fn(() => Promise.resolve(known ? {} : null)),
  } as unknown as SubmissionRepository;
  const sealed = { open: vi.fn(() => Promise.resolve(opened)) } as unknown as SealedContentReader;
  const config = { submissions: { maxBytes: 4_096 } } as unknown as AppConfig;
  return { service: new FeedIntake(config, recorder, submissions, sealed), recorded, recorder, sealed };
}

const indicator = (marking: string | null): Json => ({
  type: 'indicator',
  spec_version: '2.1',
  id: 'indicator--6b8e7a5c-0000-4000-8000-000000000001',
  created: '2026-03-01T10:00:00.000Z',
  modified: '2026-03-01T10:00:00.000Z',
  pattern: "[domain-name:value = 'evil.example']",
  pattern_type: 'stix',
  ...(marking ? { object_marking_refs: [marking] } : {}),
});

describe('FeedIntake', () => {
  it('takes a marked object in with its label, PAP and indicators, never acknowledged', async () => {
    const { service, recorded, recorder } = intake();
    const object: Json = {
      ...indicator(TLP_MARKINGS['TLP:GREEN'].id),
      object_marking_refs: [TLP_MARKINGS['TLP:GREEN'].id, PAP_MARKINGS['PAP:AMBER'].id],
    };
    expect(await service.takeStix(feed, [object])).toBe(true);
    expect(recorded[0]).toMatchObject({
      source: 'feed',
      status: 'verified',
      senderProof: 'feed',
      organisationId: 'org-b',
      partnerFeedId: 'feed-1',
      externalId: `${String(object.id)}@2026-03-01T10:00:00.000Z`,
      tlp: 'TLP:GREEN',
      pap: 'PAP:AMBER',
      flags: [],
      indicators: [{ type: 'domain', value: 'evil.example' }],
      content: JSON.stringify(object, null, 2),
    });
    expect(recorder.record).toHaveBeenCalledWith(expect.anything(), { actor: 'feed:feed-1', acknowledge: false });
  });

  it('holds an unmarked object as TLP:AMBER until an analyst confirms its label', async () => {
    const { service, recorded } = intake();
    await service.takeStix(feed, [indicator(null)]);
    expect(recorded[0]).toMatchObject({ tlp: 'TLP:AMBER', flags: ['label-assumed'] });
    // A marked object beside an unmarked one does not make the unmarked one clear.
    await service.takeStix(feed, [
      {
        type: 'report',
        id: 'report--1',
        created: '2026-03-01T10:00:00.000Z',
        object_refs: [indicator(null).id],
        object_marking_refs: [TLP_MARKINGS['TLP:CLEAR'].id],
      },
      indicator(null),
    ]);
    expect(recorded[1]).toMatchObject({ tlp: 'TLP:AMBER', flags: ['label-assumed'] });
  });

  it('takes the decrypted content of a sealed copy, with the stricter of the outer and the signed inner label', async () => {
    const document = {
      format: 'tlp-broker/item@1',
      title: 'Botnet controller',
      tlp: 'TLP:AMBER',
      pap: null,
      indicators: [{ type: 'ipv4', value: '198.51.100.23' }],
    };
    const { service, recorded, sealed } = intake({
      ok: true,
      text: JSON.stringify(document),
      encrypted: true,
      signer: { fingerprint: 'B'.repeat(40), contactId: null },
    });
    const marking = [TLP_MARKINGS['TLP:GREEN'].id];
    await service.takeStix(feed, [
      {
        type: 'report',
        id: 'report--2',
        name: 'TLPB-1',
        modified: '2026-03-01T10:00:00.000Z',
        object_refs: ['artifact--1'],
        object_marking_refs: marking,
      },
      {
        type: 'artifact',
        id: 'artifact--1',
        payload_bin: Buffer.from(ARMORED).toString('base64'),
        object_marking_refs: marking,
      },
    ]);
    expect(sealed.open).toHaveBeenCalledWith([Buffer.from(ARMORED)], 'org-b');
    expect(recorded[0]).toMatchObject({
      status: 'verified',
      tlp: 'TLP:AMBER',
      title: 'Botnet controller',
      content: JSON.stringify(document),
      encrypted: true,
      signerFingerprint: 'B'.repeat(40),
      indicators: [{ type: 'ipv4', value: '198.51.100.23' }],
      flags: [],
    });
  });

  it('records a sealed copy it cannot open or verify as refused, keeping nothing of it', async () => {
    const { service, recorded } = intake({ ok: false, reason: 'unknown-signer', detail: 'signed by key id 0123' });
    await service.takeMisp(feed, '5f0c2a1e-0000-4000-8000-000000000001', 1_760_000_000, {
      Event: {
        info: 'TLPB-2',
        Tag: [{ name: 'tlp:amber' }],
        Attribute: [{ type: 'attachment', value: 'item.json.asc', data: Buffer.from(ARMORED).toString('base64') }],
      },
    });
    expect(recorded[0]).toMatchObject({
      status: 'rejected',
      reason: 'unknown-signer',
      detail: 'signed by key id 0123',
      externalId: '5f0c2a1e-0000-4000-8000-000000000001@1760000000',
      content: null,
      sizeBytes: 0,
      tlp: 'TLP:AMBER',
    });
    expect(recorded[0].indicators ?? []).toEqual([]);
  });

  it('refuses content beyond SUBMISSION_MAX_BYTES, and opens nothing already taken', async () => {
    const big = intake();
    await big.service.takeMisp(feed, '5f0c2a1e-0000-4000-8000-000000000002', 1, {
      Event: { info: 'x'.repeat(5_000), Tag: [{ name: 'tlp:clear' }] },
    });
    expect(big.recorded[0]).toMatchObject({ status: 'rejected', reason: 'too-large', content: null });
    const known = intake(null, true);
    expect(await known.service.takeStix(feed, [indicator(null)])).toBe(false);
    expect(known.recorder.record).not.toHaveBeenCalled();
  });
});
