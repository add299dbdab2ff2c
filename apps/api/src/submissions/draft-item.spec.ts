import { describe, expect, it } from 'vitest';
import type { ListedSubmission, SubmissionEntity } from '@tlp-broker/persistence';
import { itemRequestOf, originatorOf } from './draft-item';

function listed(fields: Partial<SubmissionEntity> = {}, organisation: string | null = 'Peer CERT'): ListedSubmission {
  return {
    submission: {
      id: 'sub-1',
      reference: 'PJ-2026-000005',
      status: 'verified',
      title: 'Phishing kit',
      tlp: 'TLP:AMBER+STRICT',
      pap: 'PAP:GREEN',
      content: 'Report text',
      indicators: [],
      consent: null,
      report: null,
      fromAddress: null,
      ...fields,
    } as SubmissionEntity,
    organisation,
    contact: null,
    itemState: null,
    itemPublished: false,
    attachmentCount: 0,
  };
}

describe('the item drafted from a submission', () => {
  it("keeps the submission's label and PAP, its content and the indicators an item can carry, with its provenance", () => {
    const request = itemRequestOf(
      listed({
        indicators: [
          { type: 'ipv4', value: '198.51.100.7' },
          { type: 'domain', value: 'not a domain' },
          { type: 'url', value: 'https://evil.example/x' },
        ],
      }),
      {},
    );
    expect(request).toEqual({
      type: 'advisory',
      title: 'Phishing kit',
      body: 'Report text',
      tlp: 'TLP:AMBER+STRICT',
      pap: 'PAP:GREEN',
      indicators: [
        { type: 'ipv4', value: '198.51.100.7' },
        { type: 'url', value: 'https://evil.example/x' },
      ],
      provenance: { originator: 'Peer CERT', label: 'TLP:AMBER+STRICT' },
    });
  });

  it("takes the analyst's type, title, summary, body and audience, the report's urgency as severity, and the sender's consent", () => {
    const consent = { audience: { communities: ['eu-lea'], organisations: [], contacts: [] }, reference: 'letter 12' };
    const request = itemRequestOf(listed({ report: { kind: 'support-request', urgency: 'normal' }, consent }), {
      type: 'alert',
      title: 'Skimming wave',
      summary: 'In short',
      body: 'Rewritten',
      audience: { organisations: ['org-2'] },
    });
    expect(request).toMatchObject({
      type: 'alert',
      title: 'Skimming wave',
      summary: 'In short',
      body: 'Rewritten',
      severity: 'medium',
      audience: { organisations: ['org-2'] },
      provenance: { originator: 'Peer CERT', label: 'TLP:AMBER+STRICT', consent },
    });
  });

  it('titles an untitled submission by its reference, and bounds a long title to one line of 300 characters', () => {
    expect(itemRequestOf(listed({ title: null }), {}).title).toBe('Report PJ-2026-000005');
    expect(itemRequestOf(listed({ title: `${'x'.repeat(400)}\nsecond line` }), {}).title).toBe('x'.repeat(300));
  });

  it('names the proven organisation as originator, and an unverified sender by the first line of what its e-mail claimed', () => {
    expect(originatorOf(listed())).toBe('Peer CERT');
    expect(originatorOf(listed({ status: 'unverified', fromAddress: 'soc@spoofed.example' }, null))).toBe(
      'unverified sender soc@spoofed.example',
    );
    expect(originatorOf(listed({ status: 'unverified' }, 'Claimed CERT'))).toBe('unverified sender');
    expect(originatorOf(listed({ status: 'unverified', fromAddress: 'a@b.example\r\nBcc: x' }, null))).toBe(
      'unverified sender a@b.example',
    );
  });
});
