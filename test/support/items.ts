import { http } from './http';

/** Publishes an item as the analyst; fails the test unless the broker answers 201. */
export async function publishItem(
  base: string,
  analystKey: string,
  item: { title: string; tlp: string; audience?: Record<string, string[]>; type?: string; [field: string]: unknown },
): Promise<{ id: string; version: number; state: string }> {
  const { title, tlp, audience = {}, type = 'advisory', ...rest } = item;
  const response = await http(base, 'POST', '/items', {
    key: analystKey,
    json: { type, title, summary: `Summary of ${title}`, body: `Body of ${title}`, tlp, audience, ...rest },
  });
  if (response.status !== 201)
    throw new Error(`publishing "${title}": ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The item ids in a partner's JSON feed (entries of kind `item`), newest first. */
export async function feedItemIds(base: string, feedKey: string): Promise<string[]> {
  const response = await http(base, 'GET', '/feed', { key: feedKey });
  if (response.status !== 200) throw new Error(`pulling the feed: ${response.status} ${JSON.stringify(response.body)}`);
  return (response.body.entries as { itemId: string; entry: string }[])
    .filter((entry) => entry.entry === 'item')
    .map((entry) => entry.itemId);
}
