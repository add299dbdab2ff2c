/**
 * MIME read at the structure level, on the message's own bytes: what a signature covers must be
 * the exact bytes that were signed (RFC 3156), and how deep a message nests must be known before
 * a recursive parser walks it. Leaves (charsets, transfer encodings, HTML) are mailparser's.
 *
 * Lines, header blocks and delimiter lines are recognised as mailparser's splitter
 * (@zone-eu/mailsplit) recognises them, so that the structure measured here is the one it builds;
 * a multipart boundary written in a form two readers could read differently is reported as
 * ambiguous rather than guessed.
 */

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/** What mailsplit accepts after `--boundary` on a delimiter line: `--`, 998 SP/HTAB, CRs and the LF. */
const MAX_DELIMITER_SUFFIX = 2 + 998 + 2;

export interface MimeHeader {
  /** Lower case, e.g. `multipart/signed`; `text/plain` when absent (RFC 2045 §5.2). */
  readonly contentType: string;
  /** The multipart boundary, when the entity is multipart and declares one readably. */
  readonly boundary: string | null;
  /** A Content-Type that names multipart or message but is written with comments, escapes or RFC 2231 parameters. */
  readonly ambiguous: boolean;
  /** Lower case, `7bit` when absent. */
  readonly transferEncoding: string;
  /** `attachment`, `inline` or null. */
  readonly disposition: string | null;
}

export interface MimeEntity {
  readonly header: MimeHeader;
  /** The raw header lines, the line break ending the last one included. */
  readonly headerBytes: Buffer;
  /** The body as written (transfer encoding not undone). */
  readonly body: Buffer;
}

interface Line {
  readonly start: number;
  /** Before the line break (LF, or CRLF). */
  readonly end: number;
  /** Where the LF is, or the input's end when the line has none. */
  readonly lf: number;
  /** Where the next line starts. */
  readonly next: number;
}

function lineAt(bytes: Buffer, start: number): Line {
  const lf = bytes.indexOf(LF, start);
  if (lf === -1) return { start, end: bytes.length, lf: bytes.length, next: bytes.length };
  return { start, end: lf > start && bytes[lf - 1] === CR ? lf - 1 : lf, lf, next: lf + 1 };
}

/**
 * Header fields as name (lower case) and unfolded value. A line without a colon starts a field
 * whose name a folded line may complete, and a first line `From …` (mbox) is no field: as mailsplit.
 */
function headerFields(text: string): [string, string][] {
  const fields: { line: string; pending: boolean }[] = [];
  const lines = text.replace(/[\r\n]+$/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && index > 0) {
      if (last) {
        last.line += `\r\n${line}`;
        last.pending &&= !line.includes(':');
      }
    } else if (!(index === 0 && /^(From|POST) /i.test(line))) {
      fields.push({ line, pending: !line.includes(':') });
    }
  });
  return fields
    .filter((field) => !field.pending)
    .map(({ line }) => [
      line.slice(0, line.indexOf(':')).toLowerCase().trim(),
      line.slice(line.indexOf(':') + 1).replace(/\r\n/g, ''),
    ]);
}

/** Parameters split at the semicolons outside quoted strings. */
function paramsOf(value: string): string[] {
  const params: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '\\' && quoted) {
      current += char + (value[++index] ?? '');
    } else if (char === ';' && !quoted) {
      params.push(current);
      current = '';
    } else {
      current += char;
      if (char === '"') quoted = !quoted;
    }
  }
  return [...params, current];
}

const AMBIGUOUS = { boundary: null, ambiguous: true } as const;

/**
 * `type/subtype; boundary=…`, read strictly: the boundary once, as a token or a plain quoted
 * string, with no comment or RFC 2231 form anywhere that a more lenient reader would decode.
 */
function contentTypeOf(value: string): Pick<MimeHeader, 'contentType' | 'boundary' | 'ambiguous'> {
  const [typePart, ...params] = paramsOf(value);
  const type = typePart.trim().toLowerCase();
  if (/[()"\\]/.test(typePart) || !/^[!-~]*$/.test(type))
    return { contentType: 'application/octet-stream', boundary: null, ambiguous: /multipart|message/i.test(value) };
  const contentType = type || 'text/plain';
  if (!contentType.startsWith('multipart/')) return { contentType, boundary: null, ambiguous: false };
  const named = params.map((param) => /^\s*([^=]*?)\s*=\s*([\s\S]*?)\s*$/.exec(param));
  const boundaries = named.filter((match) => match && /boundary/i.test(match[1]));
  if (boundaries.length === 0 && !/boundary/i.test(value)) return { contentType, boundary: null, ambiguous: false };
  const commented = params.some((param) => /[()]/.test(param.replace(/"(?:[^"\\]|\\.)*"/g, '')));
  const written = boundaries.length === 1 && boundaries[0]![1].toLowerCase() === 'boundary' ? boundaries[0]![2] : null;
  const token = written === null || commented ? null : /^(?:"([^"\\]*)"|([^\s;"()\\]+))$/.exec(written);
  if (!token) return { contentType, ...AMBIGUOUS };
  const boundary = (token[1] ?? token[2]).trimEnd();
  // An empty or non-ASCII boundary is none, as mailsplit reads it: the entity has no parts.
  return { contentType, boundary: /^[\x00-\x7f]+$/.test(boundary) ? boundary : null, ambiguous: false };
}

export function parseHeader(text: string): MimeHeader {
  const fields = headerFields(text);
  const field = (name: string) => fields.find(([key]) => key === name)?.[1] ?? null;
  const disposition = field('content-disposition');
  return {
    ...contentTypeOf(field('content-type') ?? 'text/plain'),
    transferEncoding: (field('content-transfer-encoding') ?? '7bit').trim().toLowerCase(),
    disposition: disposition === null ? null : disposition.split(';')[0].trim().toLowerCase(),
  };
}

/** Splits an entity at the first empty line; an entity without one is all header. */
export function entityOf(bytes: Buffer): MimeEntity {
  for (let position = 0; position < bytes.length;) {
    const line = lineAt(bytes, position);
    if (line.end === line.start) {
      const headerBytes = bytes.subarray(0, line.start);
      return { header: parseHeader(headerBytes.toString('latin1')), headerBytes, body: bytes.subarray(line.next) };
    }
    position = line.next;
  }
  return { header: parseHeader(bytes.toString('latin1')), headerBytes: bytes, body: bytes.subarray(bytes.length) };
}

type Delimiter = 'open' | 'close' | null;

/**
 * Whether the line is `--boundary` or `--boundary--`, then SP/HTAB, CRs and its LF (only a close
 * delimiter may end the input without one).
 */
function delimiterOf(bytes: Buffer, line: Line, boundary: Buffer): Delimiter {
  // A lone CR before the dashes is what remains of a line break: mailsplit skips it too.
  const start = bytes[line.start] === CR ? line.start + 1 : line.start;
  const after = start + 2 + boundary.length;
  if (after > line.lf || bytes[start] !== DASH || bytes[start + 1] !== DASH) return null;
  if (!bytes.subarray(start + 2, after).equals(boundary)) return null;
  const hasLf = line.lf < bytes.length;
  if (line.lf - after + (hasLf ? 1 : 0) > MAX_DELIMITER_SUFFIX) return null;
  const rest = bytes.toString('latin1', after, line.lf);
  if (hasLf && /^[ \t]*\r*$/.test(rest)) return 'open';
  return /^--[ \t]*\r*$/.test(rest) ? 'close' : null;
}

/**
 * The body parts of a multipart entity, each exactly as written: from after its delimiter line
 * to before the line break that precedes the next delimiter (that line break belongs to the
 * delimiter, RFC 2046 §5.1.1). Null when the entity has no boundary or its body no delimiter.
 */
export function partsOf(entity: MimeEntity): Buffer[] | null {
  if (!entity.header.contentType.startsWith('multipart/') || !entity.header.boundary) return null;
  const marker = Buffer.from(entity.header.boundary, 'latin1');
  const { body } = entity;
  const parts: Buffer[] = [];
  let partStart = -1;
  for (let position = 0; position < body.length;) {
    const line = lineAt(body, position);
    const delimiter = delimiterOf(body, line, marker);
    // A close delimiter before the first part is preamble.
    if (delimiter === 'open' || (delimiter === 'close' && partStart >= 0)) {
      if (partStart >= 0) parts.push(body.subarray(partStart, Math.max(partStart, lineBreakBefore(body, line.start))));
      if (delimiter === 'close') return parts;
      partStart = line.next;
    }
    position = line.next;
  }
  // No closing delimiter: what follows the last one is taken as the last part.
  if (partStart >= 0) parts.push(body.subarray(partStart));
  return partStart >= 0 ? parts : null;
}

function lineBreakBefore(bytes: Buffer, position: number): number {
  if (position === 0 || bytes[position - 1] !== LF) return position;
  return position >= 2 && bytes[position - 2] === CR ? position - 2 : position - 1;
}

/** The body with its transfer encoding undone (base64, quoted-printable; 7bit, 8bit and binary as they are). */
export function decodedBody(entity: MimeEntity): Buffer {
  switch (entity.header.transferEncoding) {
    case 'base64':
      return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(
        entity.body
          .toString('latin1')
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      );
    default:
      return entity.body;
  }
}

/** Every line break as CRLF: the canonical form a MIME signature is made over (RFC 3156 §5). */
export function canonicalLineBreaks(bytes: Buffer): Buffer {
  if (!bytes.includes(LF)) return bytes;
  const out: Buffer[] = [];
  let start = 0;
  for (let lf = bytes.indexOf(LF); lf !== -1; lf = bytes.indexOf(LF, lf + 1)) {
    if (lf > 0 && bytes[lf - 1] === CR) continue;
    out.push(bytes.subarray(start, lf), Buffer.from('\r\n'));
    start = lf + 1;
  }
  out.push(bytes.subarray(start));
  return Buffer.concat(out);
}

export interface MimeOutline {
  /** Nesting of multipart and message entities: 0 for a single-part message. */
  readonly depth: number;
  /** Stopped as soon as the depth passed the bound. */
  readonly tooDeep: boolean;
  /** A multipart or message Content-Type written so that readers may disagree on its structure. */
  readonly ambiguous: boolean;
  /** A text/plain part that is not an attachment. */
  readonly hasPlainText: boolean;
  readonly hasHtml: boolean;
}

/**
 * The message's nesting, found in one pass over its lines with an explicit stack of open
 * boundaries (no recursion, so no depth of nesting can exhaust the call stack), stopping as soon
 * as it passes `maxDepth` or meets an ambiguous structure.
 */
export function outlineOf(raw: Buffer, maxDepth: number): MimeOutline {
  const scan = new OutlineScan(maxDepth);
  for (let position = 0; position < raw.length && !scan.tooDeep && !scan.ambiguous;) {
    const line = lineAt(raw, position);
    scan.line(raw, line);
    position = line.next;
  }
  scan.end();
  const { depth, tooDeep, ambiguous, hasPlainText, hasHtml } = scan;
  return { depth, tooDeep, ambiguous, hasPlainText, hasHtml };
}

interface Level {
  /** Null for an embedded message, which ends with its enclosing part. */
  readonly boundary: Buffer | null;
  /** Whether a first delimiter was seen: before it, a close delimiter is preamble. */
  opened: boolean;
}

class OutlineScan {
  depth = 0;
  tooDeep = false;
  ambiguous = false;
  hasPlainText = false;
  hasHtml = false;
  private readonly stack: Level[] = [];
  private inHeader = true;
  private header: string[] = [];

  constructor(private readonly maxDepth: number) {}

  line(raw: Buffer, line: Line): void {
    // Delimiters count anywhere, within a header block too (mailsplit ends a header-only part there).
    const dashes = raw[line.start] === CR ? line.start + 1 : line.start;
    if (raw[dashes] === DASH && raw[dashes + 1] === DASH && this.delimiter(raw, line)) return;
    if (!this.inHeader) return;
    if (line.end > line.start) this.header.push(raw.toString('latin1', line.start, line.end));
    else this.headerEnded();
  }

  /** A message that ends within a header block: that block describes a leaf with no body. */
  end(): void {
    if (this.inHeader && this.header.length > 0) this.headerEnded();
  }

  private delimiter(raw: Buffer, line: Line): boolean {
    for (let index = this.stack.length - 1; index >= 0; index--) {
      const level = this.stack[index];
      const delimiter = level.boundary ? delimiterOf(raw, line, level.boundary) : null;
      if (!delimiter) continue;
      if (delimiter === 'close' && !level.opened) return true;
      level.opened = true;
      this.stack.length = delimiter === 'open' ? index + 1 : index;
      this.inHeader = delimiter === 'open';
      this.header = [];
      return true;
    }
    return false;
  }

  private headerEnded(): void {
    const header = parseHeader(this.header.join('\n'));
    this.header = [];
    this.inHeader = false;
    if (header.ambiguous) {
      this.ambiguous = true;
    } else if (header.contentType.startsWith('multipart/')) {
      if (header.boundary) this.enter(Buffer.from(header.boundary, 'latin1'));
    } else if (/^message\//.test(header.contentType) && !/^(base64|quoted-printable)$/.test(header.transferEncoding)) {
      // The embedded message's own header follows at once (counted whatever its disposition).
      this.enter(null);
      this.inHeader = true;
    } else if (header.disposition !== 'attachment') {
      this.hasPlainText ||= header.contentType === 'text/plain';
      this.hasHtml ||= header.contentType === 'text/html';
    }
  }

  private enter(boundary: Buffer | null): void {
    this.stack.push({ boundary, opened: false });
    this.depth = Math.max(this.depth, this.stack.length);
    this.tooDeep = this.depth > this.maxDepth;
  }
}
