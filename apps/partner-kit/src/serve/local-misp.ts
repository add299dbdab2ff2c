import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Answer, JSON_TYPE, jsonAnswer, notFound } from './local-answers';

/** The MISP feed directory `pull` writes (manifest.json, hashes.csv, <event uuid>.json), and whether TLP:RED is served. */
export interface LocalMispFeed {
  readonly directory: string;
  readonly includeRed: boolean;
}

const EVENT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;
const CSV_TYPE = 'text/csv; charset=utf-8';
const NO_EVENT = 'There is no such event in this feed.';

type Manifest = Record<string, unknown>;

/**
 * manifest.json, without TLP:RED events unless opted in. Files are read at every request: `pull`
 * replaces them (each by rename) while the server runs. No directory or no file: an empty feed.
 */
export async function mispManifest(feed: LocalMispFeed): Promise<Answer> {
  const manifest = await readManifest(feed.directory);
  return jsonAnswer(feed.includeRed ? manifest : withoutRed(manifest));
}

/**
 * hashes.csv (`<md5>,<event uuid>` lines). Without TLP:RED, only the lines of events manifest.json
 * lists and does not tag `tlp:red`: `pull` writes the events, then manifest.json, then hashes.csv,
 * so a hash of an event the manifest does not list yet is held back rather than guessed about.
 */
export async function mispHashes(feed: LocalMispFeed): Promise<Answer> {
  const text = (await readOptional(join(feed.directory, 'hashes.csv')))?.toString('utf8') ?? '';
  if (feed.includeRed) return { status: 200, headers: { 'Content-Type': CSV_TYPE }, body: text };
  const served = new Set(Object.keys(withoutRed(await readManifest(feed.directory))));
  const lines = text
    .split(/\r?\n/)
    .filter((line) => line.includes(',') && served.has(line.slice(line.lastIndexOf(',') + 1).trim()));
  return { status: 200, headers: { 'Content-Type': CSV_TYPE }, body: lines.map((line) => `${line}\n`).join('') };
}

/**
 * One event, `<uuid>.json` and nothing else (no other name reaches the disk), as `pull` wrote it.
 * Without TLP:RED, an event tagged `tlp:red` — in its file or in manifest.json — or one the
 * manifest does not list is a 404, as if it did not exist.
 */
export async function mispEvent(feed: LocalMispFeed, file: string): Promise<Answer> {
  const uuid = EVENT_FILE.exec(file)?.[1];
  if (!uuid) throw notFound(NO_EVENT);
  const bytes = await readOptional(join(feed.directory, `${uuid}.json`));
  if (bytes === null) throw notFound(NO_EVENT);
  if (!feed.includeRed) {
    const listed = Object.hasOwn(withoutRed(await readManifest(feed.directory)), uuid);
    const event = (JSON.parse(bytes.toString('utf8')) as { Event?: unknown } | null)?.Event;
    if (!listed || taggedRed(event)) throw notFound(NO_EVENT);
  }
  return { status: 200, headers: { 'Content-Type': JSON_TYPE }, body: bytes };
}

async function readManifest(directory: string): Promise<Manifest> {
  const bytes = await readOptional(join(directory, 'manifest.json'));
  if (bytes === null) return {};
  const manifest: unknown = JSON.parse(bytes.toString('utf8'));
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    throw new Error(`${join(directory, 'manifest.json')} is not a JSON object`);
  return manifest as Manifest;
}

function withoutRed(manifest: Manifest): Manifest {
  return Object.fromEntries(Object.entries(manifest).filter(([, entry]) => !taggedRed(entry)));
}

/** Whether an event (or its manifest entry) carries MISP's `tlp:red` tag. */
function taggedRed(event: unknown): boolean {
  const tags = typeof event === 'object' && event !== null ? (event as { Tag?: unknown }).Tag : undefined;
  return (
    Array.isArray(tags) &&
    tags.some((tag: unknown) => {
      const name = typeof tag === 'object' && tag !== null ? (tag as { name?: unknown }).name : undefined;
      return typeof name === 'string' && name.trim().toLowerCase() === 'tlp:red';
    })
  );
}

/** A file's bytes; null when it, or its directory, does not exist. */
async function readOptional(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}
