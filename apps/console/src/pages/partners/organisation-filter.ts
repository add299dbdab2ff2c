/** What the organisation list search reads of an organisation. */
export interface Searchable {
  readonly name: string;
  readonly kind: string;
  readonly relation: string;
  readonly country: string | null;
  readonly status: string;
  readonly communities: readonly string[];
  readonly accreditations: readonly string[];
}

/** Lower case without accents, so "cert-fr" finds "CERT-FR" and "gendarmerie" finds "Gendarmerie". */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Whether an organisation matches what was typed in the search box: every word typed must appear
 * in its name, kind, relation, country, status, communities or accreditations.
 */
export function matchesSearch(organisation: Searchable, query: string): boolean {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = fold(
    [
      organisation.name,
      organisation.kind,
      organisation.relation,
      organisation.country ?? '',
      organisation.status,
      ...organisation.communities,
      ...organisation.accreditations,
    ].join(' '),
  );
  return words.every((word) => text.includes(word));
}

/** A list typed in one field ("eu-lea, judicial-secret" or one per line): its entries, trimmed, once each. */
export function parseList(typed: string): string[] {
  return [
    ...new Set(
      typed
        .split(/[,\n;]+/)
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  ];
}
