/**
 * TLP and PAP labels in FIRST's colours (TLP 2.0: the label on black), always written out, so a
 * label reads the same without colour.
 */
const LABEL_CLASS: Record<string, string> = {
  RED: 'label-red',
  AMBER: 'label-amber',
  'AMBER+STRICT': 'label-amber',
  GREEN: 'label-green',
  CLEAR: 'label-clear',
};

export function TlpBadge({ label }: { label: string }) {
  const colour = LABEL_CLASS[label.replace(/^TLP:/, '')] ?? 'label-clear';
  return <span className={`label ${colour}`}>{label}</span>;
}

export function PapBadge({ label }: { label: string | null | undefined }) {
  if (!label) return null;
  const colour = LABEL_CLASS[label.replace(/^PAP:/, '')] ?? 'label-clear';
  return <span className={`label ${colour}`}>{label}</span>;
}
