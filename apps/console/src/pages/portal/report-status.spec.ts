import { describe, expect, it } from 'vitest';
import type { Translate } from '../../i18n/i18n';
import { portalAccessMessages, PortalMessage, portalMessages } from './messages';
import { kindWords, statusWords } from './report-status';

/** The screen's translation, as useMessages gives it, in one language. */
function words(language: 'en' | 'fr'): Translate<PortalMessage> {
  return (key, values) =>
    portalMessages[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => String(values?.[name] ?? whole));
}

describe("a report's status in words", () => {
  it('says each status, and why a report was closed', () => {
    const t = words('en');
    expect(statusWords(t, { status: 'received' })).toBe('Received');
    expect(statusWords(t, { status: 'in-triage' })).toBe('In triage');
    expect(statusWords(t, { status: 'item-published' })).toBe('Item published');
    expect(statusWords(t, { status: 'closed', closedReason: 'out-of-scope' })).toBe('Closed: out of scope');
    expect(statusWords(t, { status: 'closed' })).toBe('Closed');
    expect(statusWords(words('fr'), { status: 'closed', closedReason: 'duplicate' })).toBe('Clos : doublon');
  });

  it('names the form, or the way in of what was no form', () => {
    const t = words('en');
    expect(kindWords(t, { kind: 'support-request', source: 'form' })).toBe('Request for technical support');
    expect(kindWords(t, { kind: null, source: 'email' })).toBe('E-mail');
  });
});

describe('the portal’s words', () => {
  it('exist in French for every English message, and the other way round', () => {
    for (const messages of [portalMessages, portalAccessMessages]) {
      expect(Object.keys(messages.fr).sort()).toEqual(Object.keys(messages.en).sort());
      expect(Object.values(messages.en).every((text) => text.trim() !== '')).toBe(true);
      expect(Object.values(messages.fr).every((text) => text.trim() !== '')).toBe(true);
    }
  });
});
