/** The headers an attachment is served with: a download of opaque bytes, which no browser renders or sniffs. */
export function attachmentHeaders(filename: string, sizeBytes: number): Record<string, string> {
  return {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename*=UTF-8''${rfc5987(downloadName(filename))}`,
    'Content-Length': String(sizeBytes),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    // What partners send in stays out of shared caches and the browser's disk cache.
    'Cache-Control': 'no-store',
  };
}

/** The name as sent, without control characters or path separators; `attachment` when nothing is left. */
export function downloadName(filename: string): string {
  const clean = filename
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '')
    .replace(/[/\\]/g, '_')
    .trim();
  return clean === '' ? 'attachment' : clean;
}

/** RFC 5987 ext-value characters: UTF-8, percent-encoded except attr-char. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
