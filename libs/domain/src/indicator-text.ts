/**
 * Indicators written in free text (a report, an e-mail body, a pasted list): defanged forms written
 * back (hxxp://, [.], [@]…), each value classified by its shape. Pure and free of Node APIs: the
 * console uses it in the browser too.
 */
import type { IndicatorType } from './items';

/** An observable found in free text, refanged and in its canonical spelling. */
export interface ExtractedIndicatorValue {
  readonly type: IndicatorType;
  readonly value: string;
}

const DEFANGED: [RegExp, string][] = [
  [/\bhxxp(s?)(?=[:[])/gi, 'http$1'],
  [/\bfxp(?=[:[])/gi, 'ftp'],
  [/\[:\/\/\]/g, '://'],
  [/\[:\]/g, ':'],
  [/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}/gi, '.'],
  [/\[@\]|\(@\)|\{@\}|\[at\]|\(at\)|\{at\}/gi, '@'],
];

/** Writes defanged indicators back in their usable form: hxxps[:]//evil[.]example → https://evil.example. */
export function refang(text: string): string {
  return DEFANGED.reduce((value, [pattern, replacement]) => value.replace(pattern, replacement), text.trim());
}

/** Longer values, and runs of text without a blank, are not read (no URL worth listing is that long). */
const MAX_TOKEN = 4096;
const HASHES: [IndicatorType, RegExp][] = [
  ['md5', /^[0-9a-f]{32}$/i],
  ['sha1', /^[0-9a-f]{40}$/i],
  ['sha256', /^[0-9a-f]{64}$/i],
];
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
// A DNS name of at least two labels, the last one starting with a letter (as the API checks it).
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const EMAIL = /^[^\s@"<>()[\],;:\\]{1,64}@([^\s@]+)$/;

function isIPv6(value: string): boolean {
  if (value.length > 45 || !value.includes(':') || !/^[0-9a-f:.]+$/i.test(value)) return false;
  try {
    // The URL parser checks the address (groups, "::" once, a trailing IPv4 part).
    new URL(`http://[${value}]/`);
    return true;
  } catch {
    return false;
  }
}

function isUrl(value: string): boolean {
  if (!/^(?:https?|ftp):\/\/[^\s/?#]+/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function isDomain(value: string): boolean {
  return value.length <= 254 && DOMAIN.test(value.toLowerCase().replace(/\.$/, ''));
}

/** The type of an indicator value (already refanged), or null when it has none of the known shapes. */
export function classifyIndicator(value: string): IndicatorType | null {
  if (typeof value !== 'string' || value.length > MAX_TOKEN) return null;
  const hash = HASHES.find(([, pattern]) => pattern.test(value));
  if (hash) return hash[0];
  if (IPV4.test(value)) return 'ipv4';
  if (isIPv6(value)) return 'ipv6';
  if (isUrl(value)) return 'url';
  const email = EMAIL.exec(value);
  if (email) return isDomain(email[1]) ? 'email' : null;
  return isDomain(value) ? 'domain' : null;
}

/** The value as indicators are kept: hashes, addresses and domains in lower case; URLs and e-mail addresses as written. */
export function canonicalIndicatorValue(type: IndicatorType, value: string): string {
  return type === 'url' || type === 'email' ? value : value.toLowerCase().replace(/\.$/, '');
}

// ---- Free text -------------------------------------------------------------------------------

/** Runs of text between blanks and characters that never appear unescaped in a URL. */
const CHUNK = /[^\s<>"`]+/g;
const SCHEME = /(?:https?|ftp):\/\//i;
/** What separates values inside a run that holds no URL: "ip=203.0.113.7,", "(evil.example)", "evil.example/path". */
const INNER_SEPARATORS = /[,;()[\]{}|'\\/=*!?]+/;
const HASH_LENGTHS = new Set([32, 40, 64]);
const LEADING = /^[.\-_:#~+]+/;
const TRAILING = /[.\-_:#~+]+$/;

/**
 * In prose "report.pdf" is a file name, not a domain, even where the extension is also a top-level
 * domain (.zip, .mov, .sh, .py, .md): a name ending in one of these is not listed as a domain.
 */
const FILE_EXTENSIONS = new Set(
  (
    'exe dll sys drv scr com cpl ocx msi msp lnk bat cmd ps psm vbs vbe js jse wsf wsh hta jar class py pyc sh ' +
    'bash pl rb php asp aspx jsp cgi doc docx docm dot dotm xls xlsx xlsm xlsb ppt pptx pptm rtf odt ods odp pdf ' +
    'txt csv tsv log md json xml yml yaml ini cfg conf toml htm html css svg png jpg jpeg gif bmp ico tif tiff webp ' +
    'mp mpg mpeg mov avi mkv wav zip rar tar gz tgz bz xz cab iso img vhd vhdx dmg apk ipa eml msg pst ost tmp bak ' +
    'bin dat db sqlite sql key pem crt cer der pfx gpg asc sig one lock out'
  ).split(' '),
);
/** A top-level domain as it appears in free text: letters only (or an IDN's xn-- form). */
const TEXT_TLD = /^(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})$/;

function isTextDomain(value: string): boolean {
  if (!isDomain(value)) return false;
  const tld = value.toLowerCase().replace(/\.$/, '').split('.').pop()!;
  return TEXT_TLD.test(tld) && !FILE_EXTENSIONS.has(tld);
}

/** The indicator one word of prose holds, read more strictly than a pasted value (no file names as domains). */
function readWord(raw: string): ExtractedIndicatorValue | null {
  const word = raw.replace(LEADING, '').replace(TRAILING, '');
  // Most words of prose are none of these: skip them before any closer look.
  if (!/[.:@]/.test(word) && !HASH_LENGTHS.has(word.length)) return null;
  if (word.includes('@')) return readAddress(word);
  const type = classifyIndicator(word);
  if (type === 'domain') return isTextDomain(word) ? { type, value: canonicalIndicatorValue(type, word) } : null;
  if (type !== null && type !== 'url' && type !== 'email') return { type, value: canonicalIndicatorValue(type, word) };
  // "203.0.113.7:443", "sha256:e3b0…": the value before the first colon or after the last one.
  if (!word.includes(':')) return null;
  return readWord(word.slice(0, word.indexOf(':'))) ?? readWord(word.slice(word.lastIndexOf(':') + 1));
}

/** "mailto:bob@evil.example", "bob@evil.example"; "root@203.0.113.7" gives the address after "@". */
function readAddress(word: string): ExtractedIndicatorValue | null {
  const address = word.slice(word.lastIndexOf(':') + 1);
  const email = EMAIL.exec(address);
  if (email && isTextDomain(email[1])) return { type: 'email', value: address };
  const host = address.slice(address.lastIndexOf('@') + 1);
  return host.includes('@') || host === '' ? null : readWord(host);
}

/** A URL found in a run of text: closing punctuation after it and unbalanced brackets dropped. */
function readUrl(text: string): ExtractedIndicatorValue | null {
  let url = text.replace(/[.,;:!?'*]+$/, '');
  while (/[)\]}]$/.test(url) && !/[([{]/.test(url)) url = url.slice(0, -1).replace(/[.,;:!?'*]+$/, '');
  return isUrl(url) ? { type: 'url', value: url } : null;
}

/** Every indicator in one run of text between blanks, in order. */
function readChunk(chunk: string): ExtractedIndicatorValue[] {
  const scheme = SCHEME.exec(chunk);
  const prose = scheme ? chunk.slice(0, scheme.index) : chunk;
  const found = prose
    .split(INNER_SEPARATORS)
    .map(readWord)
    .filter((indicator): indicator is ExtractedIndicatorValue => indicator !== null);
  const url = scheme ? readUrl(chunk.slice(scheme.index)) : null;
  return url ? [...found, url] : found;
}

/**
 * The indicators written in `text` — IPv4 and IPv6 addresses, domains, URLs, e-mail addresses, MD5,
 * SHA-1 and SHA-256 hashes — refanged, in canonical spelling, each once, in order of appearance, at
 * most `limit`. A domain that is part of a URL or an e-mail address is not listed on its own; version
 * numbers and file names glued to words are not read as addresses or domains.
 */
export function extractIndicators(text: string, limit = 1000): ExtractedIndicatorValue[] {
  if (typeof text !== 'string' || limit <= 0) return [];
  const seen = new Set<string>();
  const result: ExtractedIndicatorValue[] = [];
  for (const [chunk] of refang(text).matchAll(CHUNK)) {
    if (chunk.length > MAX_TOKEN) continue;
    for (const indicator of readChunk(chunk)) {
      const key = `${indicator.type}:${indicator.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.push(indicator);
      if (result.length >= limit) return result;
    }
  }
  return result;
}
