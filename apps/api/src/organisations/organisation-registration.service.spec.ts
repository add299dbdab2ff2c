import { ConflictException, HttpException } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { OpenPgpService, PublicKeyInfo } from '@tlp-broker/crypto';
import type { ApiKeyRepository, OrganisationRepository } from '@tlp-broker/persistence';
import { fakeAudit, fakeTransactions, staffPrincipal, tx } from '../../../../test/support/mocks';
import type { CaveatsService } from '../caveats/caveats.service';
import { OrganisationRegistrationService } from './organisation-registration.service';
import { CreateOrganisationDto } from './organisations.dto';
import { PartnerSetupService } from './partner-setup.service';

const actor = staffPrincipal();
const KEY: PublicKeyInfo = {
  fingerprint: 'A'.repeat(40) as PublicKeyInfo['fingerprint'],
  version: 4,
  algorithm: 'eddsaLegacy ed25519Legacy',
  bits: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: null,
  userIds: ['SOC <soc@cert.example>'],
  encryptionKeyId: 'ABCDEF0123456789',
  armored: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
};

/** Registration with its real checks (PartnerSetupService), and every store, key check and caveat list replaced. */
function registration(options: { knownCaveats?: string[]; keyError?: string; allowList?: string[] } = {}) {
  const organisations = {
    insertOrganisation: vi.fn(async (organisation: object) => ({ id: 'org-1', status: 'active', ...organisation })),
    insertKey: vi.fn(async (key: object) => ({ id: 'key-1', revokedAt: null, ...key, keyCreatedAt: KEY.createdAt })),
    insertChannel: vi.fn(async (channel: object) => ({
      id: `ch-${organisations.insertChannel.mock.calls.length}`,
      status: 'active',
      ...channel,
    })),
  };
  const apiKeys = {
    issueForChannel: vi.fn(async (channelId: string, scopes: readonly string[]) => ({
      credential: { id: `cred-${channelId}`, scopes },
      apiKey: `tlpb_p_for_${channelId}`,
    })),
  };
  const openpgp = {
    inspectPublicKey: vi.fn(async () =>
      options.keyError ? { ok: false, error: options.keyError } : { ok: true, key: KEY },
    ),
  };
  const caveats = {
    unknown: vi.fn(async (names: readonly string[]) => names.filter((n) => !(options.knownCaveats ?? []).includes(n))),
  };
  const audit = fakeAudit();
  const transactions = fakeTransactions();
  const config = { webhooks: { allowList: options.allowList ?? [] }, keys: { requireEmailMatch: true } };
  const setup = new PartnerSetupService(
    config as never,
    openpgp as unknown as OpenPgpService,
    caveats as unknown as CaveatsService,
    organisations as unknown as OrganisationRepository,
    apiKeys as unknown as ApiKeyRepository,
  );
  const service = new OrganisationRegistrationService(
    transactions,
    audit,
    setup,
    organisations as unknown as OrganisationRepository,
  );
  return { service, organisations, apiKeys, openpgp, caveats, audit, transactions };
}

function dto(changes: Partial<CreateOrganisationDto> = {}): CreateOrganisationDto {
  return Object.assign(new CreateOrganisationDto(), {
    name: '  CERT Example ',
    kind: 'cert',
    relation: 'peer',
    publicKey: KEY.armored,
    channels: [{ kind: 'feed' }],
    ...changes,
  });
}

async function refused(work: Promise<unknown>): Promise<{ status: number; details: unknown }> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpException);
  const response = (error as HttpException).getResponse() as { details?: unknown };
  return { status: (error as HttpException).getStatus(), details: response.details };
}

function expectNothingStored(r: ReturnType<typeof registration>) {
  expect(r.transactions.run).not.toHaveBeenCalled();
  expect(r.organisations.insertOrganisation).not.toHaveBeenCalled();
  expect(r.organisations.insertChannel).not.toHaveBeenCalled();
  expect(r.apiKeys.issueForChannel).not.toHaveBeenCalled();
  expect(r.audit.append).not.toHaveBeenCalled();
}

describe('OrganisationRegistrationService', () => {
  it('registers the organisation, its key and channels in one transaction, audited, and shows each secret once', async () => {
    const r = registration({ knownCaveats: ['judicial-secret'] });
    const view = await r.service.register(
      dto({
        accreditations: ['judicial-secret'],
        communities: ['eu-lea'],
        channels: [
          { kind: 'feed' },
          { kind: 'email', address: ' soc@cert.example ', redistributes: true },
          { kind: 'webhook', address: 'https://93.184.215.14/hook' },
        ],
      }),
      actor,
    );
    expect(r.organisations.insertOrganisation).toHaveBeenCalledWith(
      {
        name: 'CERT Example',
        kind: 'cert',
        country: null,
        relation: 'peer',
        communities: ['eu-lea'],
        accreditations: ['judicial-secret'],
      },
      tx,
    );
    expect(r.organisations.insertKey).toHaveBeenCalledWith(
      expect.objectContaining({ organisationId: 'org-1', contactId: null, fingerprint: KEY.fingerprint }),
      tx,
    );
    expect(r.organisations.insertChannel.mock.calls.map(([channel]) => channel)).toEqual([
      expect.objectContaining({ kind: 'feed', address: null, secret: null, redistributes: false, keyId: 'key-1' }),
      expect.objectContaining({ kind: 'email', address: 'soc@cert.example', redistributes: true }),
      expect.objectContaining({ kind: 'webhook', address: 'https://93.184.215.14/hook', secret: expect.any(String) }),
    ]);
    expect(r.audit.append).toHaveBeenCalledWith(tx, {
      actor: 'user:u-1',
      action: 'organisation.registered',
      subjectType: 'organisation',
      subjectId: 'org-1',
      details: { name: 'CERT Example', relation: 'peer', communities: ['eu-lea'], keyFingerprint: KEY.fingerprint },
    });
    expect(view).toMatchObject({ id: 'org-1', name: 'CERT Example', status: 'active', contacts: [] });
    expect(view.key).toMatchObject({ fingerprint: KEY.fingerprint, modernOnly: false });
    expect(view.channels[0]).toMatchObject({ apiKey: 'tlpb_p_for_ch-1', keyFingerprint: KEY.fingerprint });
    expect(view.channels[1]).not.toHaveProperty('apiKey');
    expect(view.channels[2].secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("gives a feed channel's first key the pull scopes, never submit, unless scopes are given", async () => {
    const r = registration();
    const view = await r.service.register(
      dto({ channels: [{ kind: 'feed' }, { kind: 'feed', scopes: ['submit'] }] }),
      actor,
    );
    expect(r.apiKeys.issueForChannel.mock.calls).toEqual([
      ['ch-1', ['feed', 'taxii', 'misp'], tx],
      ['ch-2', ['submit'], tx],
    ]);
    expect(view.channels.map((channel) => channel.scopes)).toEqual([['feed', 'taxii', 'misp'], ['submit']]);
  });

  it('refuses unknown accreditations naming the field, and stores nothing', async () => {
    const r = registration();
    const { status, details } = await refused(r.service.register(dto({ accreditations: ['made-up'] }), actor));
    expect(status).toBe(400);
    expect(details).toEqual([
      { field: 'accreditations', message: 'unknown caveat "made-up" (register it under /caveats first)' },
    ]);
    expectNothingStored(r);
  });

  it('refuses a key the checks refuse, naming publicKey, and stores nothing', async () => {
    const r = registration({ keyError: 'the key expired on 2025-01-01' });
    const { status, details } = await refused(r.service.register(dto({ fingerprint: '0123' }), actor));
    expect(status).toBe(400);
    expect(details).toEqual([{ field: 'publicKey', message: 'the key expired on 2025-01-01' }]);
    expect(r.openpgp.inspectPublicKey).toHaveBeenCalledWith(KEY.armored, expect.any(Date), {
      pinnedFingerprint: '0123',
    });
    expectNothingStored(r);
  });

  it.each([
    ['https://10.0.0.7/hook', /private/],
    ['http://93.184.215.14/hook', /https/],
    ['https://user:secret@93.184.215.14/in', /credentials/],
    ['gopher://93.184.215.14/', /scheme/],
  ])('vets webhook %s before anything is stored, naming its channel', async (address, reason) => {
    const r = registration();
    const { status, details } = await refused(
      r.service.register(dto({ channels: [{ kind: 'feed' }, { kind: 'webhook', address }] }), actor),
    );
    expect(status).toBe(400);
    expect(details).toEqual([{ field: 'channels.1.address', message: expect.stringMatching(reason) }]);
    expectNothingStored(r);
  });

  it('takes a private webhook address the allow-list names', async () => {
    const r = registration({ allowList: ['10.0.0.0/8'] });
    const view = await r.service.register(
      dto({ channels: [{ kind: 'webhook', address: 'http://10.0.0.7/hook' }] }),
      actor,
    );
    expect(view.channels[0]).toMatchObject({ kind: 'webhook', address: 'http://10.0.0.7/hook' });
  });

  it('refuses an e-mail channel without an e-mail address, and scopes on a channel that is not a feed', async () => {
    const r = registration();
    expect(
      (await refused(r.service.register(dto({ channels: [{ kind: 'email', address: 'not-an-address' }] }), actor)))
        .details,
    ).toEqual([{ field: 'channels.0.address', message: '"not-an-address" is not an e-mail address' }]);
    expect(
      (
        await refused(
          r.service.register(dto({ channels: [{ kind: 'email', address: 'a@b.example', scopes: ['feed'] }] }), actor),
        )
      ).details,
    ).toEqual([{ field: 'channels.0.scopes', message: 'only a feed channel has API keys and scopes' }]);
    expectNothingStored(r);
  });

  it('answers 409 when the name is taken, and passes other failures on', async () => {
    const r = registration();
    r.organisations.insertOrganisation.mockRejectedValueOnce(Object.assign(new Error('duplicate'), { code: '23505' }));
    const conflict = await r.service.register(dto(), actor).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect((conflict as ConflictException).message).toBe('an organisation named "CERT Example" is already registered');
    const failure = new Error('connection lost');
    r.organisations.insertOrganisation.mockRejectedValueOnce(failure);
    await expect(r.service.register(dto(), actor)).rejects.toBe(failure);
  });
});
