/** The small page a one-time acknowledgement link opens: nothing is recorded until its button is pressed. */

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** No script, no outside resource; the form posts back to the same address. */
export const ACKNOWLEDGEMENT_PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1.2rem;padding:.6rem 1.2rem}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

/** Asks the reader to confirm: mail scanners that open links must not acknowledge for a person. */
export function confirmPage(subject: string, acknowledged: { by: string; at: Date } | null): string {
  if (acknowledged) return donePage(subject, acknowledged, true);
  return page(
    'Acknowledge receipt',
    `<p>${escape(subject)}</p><p>Press the button to tell the team that a person has read it.</p>
<form method="post"><button type="submit">I have read it: acknowledge</button></form>`,
  );
}

export function donePage(subject: string, acknowledged: { by: string; at: Date }, already: boolean): string {
  return page(
    already ? 'Already acknowledged' : 'Acknowledged, thank you',
    `<p>${escape(subject)}</p><p>${already ? 'It was acknowledged' : 'Acknowledged'} by ${escape(acknowledged.by)} at ${escape(acknowledged.at.toISOString())}.</p>`,
  );
}
