import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PreferencesProvider } from '../../i18n/i18n';
import { aSubmissionDetail } from './submission-fixtures';
import { AttachmentsSection, ContentSection } from './SubmissionContent';

/** The section as the browser receives it, in English. */
function render(element: ReturnType<typeof createElement>): string {
  return renderToStaticMarkup(createElement(PreferencesProvider, null, element));
}

const hostile = aSubmissionDetail({
  content: '<img src=x onerror=alert(1)> **bold** <script>alert(2)</script>',
  attachments: [
    {
      id: 'a-1',
      filename: 'relevé "bancaire".html',
      mediaType: 'text/html',
      sizeBytes: 2048,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    { id: 'a-2', filename: 'photo.png', mediaType: 'image/png', sizeBytes: 10, sha256: 'ab'.repeat(32) },
  ],
});

describe("a submission's attachments and content in the page", () => {
  beforeAll(() => vi.stubGlobal('navigator', { language: 'en-GB' }));
  afterAll(() => vi.unstubAllGlobals());

  it('are download links to the download route only: nothing is embedded or shown', () => {
    const html = render(createElement(AttachmentsSection, { submission: hostile }));
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|picture|source)\b/i);
    const links = [...html.matchAll(/<a ([^>]*)>/g)].map((match) => match[1]);
    expect(links).toEqual([
      expect.stringContaining(`href="/submissions/${hostile.id}/attachments/a-1"`),
      expect.stringContaining(`href="/submissions/${hostile.id}/attachments/a-2"`),
    ]);
    for (const link of links) expect(link).toContain('download=""');
    expect(html).toContain('aria-label="Download relevé &quot;bancaire&quot;.html"');
    expect(html).toContain('2 kB');
    expect(html).toContain(hostile.attachments[0].sha256);
  });

  it('shows the content as plain text, never as HTML or Markdown', () => {
    const html = render(createElement(ContentSection, { submission: hostile }));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; **bold** &lt;script&gt;alert(2)&lt;/script&gt;');
    expect(html).not.toMatch(/<(img|script|strong|b)\b/i);
    expect(html).toMatch(/<pre [^>]*>/);
  });
});
