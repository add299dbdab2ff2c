import DOMPurify from 'dompurify';
import { Marked } from 'marked';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const markdown = new Marked({ gfm: true });
// An image would be fetched from wherever its address points (the CSP forbids other hosts): its text stands in.
markdown.use({ renderer: { image: ({ text }) => (text ? `[${escapeHtml(text)}]` : '') } });

/**
 * The body as recipients will read it, rendered from Markdown and sanitised: no scripts, no styles
 * (the console's CSP refuses inline ones), no images, no forms.
 */
export function renderMarkdown(source: string): string {
  const html = markdown.parse(source, { async: false });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: [
      'style',
      'img',
      'picture',
      'video',
      'audio',
      'source',
      'form',
      'input',
      'button',
      'textarea',
      'select',
    ],
    FORBID_ATTR: ['style', 'srcset'],
  });
}
