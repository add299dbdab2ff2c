import { describe, expect, it } from 'vitest';
import { readableBody } from './readable-body';

describe('readableBody', () => {
  it('keeps text as it is', () => {
    expect(readableBody('Phishing wave against the complaint service.\nSee below.')).toBe(
      'Phishing wave against the complaint service.\nSee below.',
    );
  });

  it('gives the words of STIX objects, leaving out markings and identities', () => {
    const objects = [
      { type: 'marking-definition', name: 'TLP:GREEN' },
      { type: 'identity', name: 'Sender CERT' },
      { type: 'report', name: 'Ransomware affiliate infrastructure', description: 'Three servers.' },
      { type: 'indicator', name: 'C2 server', pattern: "[ipv4-addr:value = '203.0.113.7']" },
    ];
    expect(readableBody(JSON.stringify(objects))).toBe(
      'report: Ransomware affiliate infrastructure\nThree servers.\n\nindicator: C2 server',
    );
    expect(readableBody(JSON.stringify({ type: 'bundle', id: 'bundle--1', objects }))).toContain('Three servers.');
  });

  it("gives a MISP event's info and live attributes", () => {
    const event = {
      Event: {
        info: 'Phishing kit',
        Attribute: [
          { type: 'url', value: 'https://kit.example/login', comment: 'landing page' },
          { type: 'ip-dst', value: '203.0.113.9', deleted: true },
        ],
      },
    };
    expect(readableBody(JSON.stringify(event))).toBe('Phishing kit\n\n- url: https://kit.example/login (landing page)');
  });

  it("gives a partner broker's decrypted item documents their title, summary and body, one after the other", () => {
    const item = (title: string) =>
      JSON.stringify({ format: 'tlp-broker/item@1', title, summary: 'In short.', body: 'The details.' }, null, 2);
    expect(readableBody(`${item('First')}\n\n${item('Second')}`)).toBe(
      'First\n\nIn short.\n\nThe details.\n\nSecond\n\nIn short.\n\nThe details.',
    );
  });

  it('keeps JSON that says nothing readable as it is', () => {
    expect(readableBody('{"a": 1}')).toBe('{"a": 1}');
    expect(readableBody('[1, 2]')).toBe('[1, 2]');
  });
});
