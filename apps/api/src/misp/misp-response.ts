import { createHash } from 'node:crypto';
import type { Response } from 'express';
import type { FeedResponse } from '../feeds/feed-responses';

/** A body up to this length is sent whole (with its length and ETag, and kept); a longer one is streamed. */
const WHOLE_BODY_LENGTH = 1 << 20;

/** A whole answer: its bytes, type and a weak ETag of them (computed once, when the answer is made). */
export function wholeAnswer(contentType: string, text: string): FeedResponse {
  const body = Buffer.from(text);
  return {
    body,
    headers: { 'Content-Type': contentType, ETag: `W/"${createHash('sha256').update(body).digest('base64url')}"` },
  };
}

/** Sends a whole answer; Express answers 304 to an If-None-Match naming its ETag, and HEAD without the body. */
export function sendWhole(response: Response, answer: FeedResponse): void {
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.send(answer.body);
}

/**
 * Sends the concatenation of `parts` (read one after the other, as the client takes them) as a 200
 * in `contentType`. A body that ends within the first megabyte is sent once it is read whole (and
 * handed to `whole`, to be kept), so a failure there is answered as any other; a longer one is
 * streamed, and a failure after its first megabyte cuts the response short (and is thrown on, to
 * be logged).
 */
export async function sendParts(
  response: Response,
  contentType: string,
  parts: AsyncIterable<string>,
  whole: (answer: FeedResponse) => void,
): Promise<void> {
  const iterator = parts[Symbol.asyncIterator]();
  let held = '';
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      const answer = wholeAnswer(contentType, held);
      whole(answer);
      sendWhole(response, answer);
      return;
    }
    held += next.value;
    if (held.length >= WHOLE_BODY_LENGTH) break;
  }
  response.status(200).setHeader('Content-Type', contentType);
  try {
    await write(response, held);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (response.destroyed) break;
      await write(response, next.value);
    }
    response.end();
  } catch (error) {
    response.destroy();
    throw error;
  } finally {
    await iterator.return?.();
  }
}

/** Writes a chunk, waiting for the client to take what is buffered (or to go away). */
function write(response: Response, chunk: string): Promise<void> {
  if (chunk === '' || response.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
