/** Set by the build (scripts/build-partner-kit.ts) from apps/partner-kit/package.json. */
declare const KIT_VERSION: string | undefined;

/** The kit's version; null when it runs unpacked (from the repository's own build). */
export const kitVersion: string | null = typeof KIT_VERSION === 'string' ? KIT_VERSION : null;

/** Whether `offered` (x.y.z) is newer than `running`. */
export function isNewer(offered: string, running: string): boolean {
  const parts = (version: string) =>
    version
      .split(/[.+-]/)
      .slice(0, 3)
      .map((part) => Number(part) || 0);
  const [a, b] = [parts(offered), parts(running)];
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/** A warning when the broker hands out a newer kit than the one running: npx keeps what it fetched from a URL. */
export function newerKitWarning(release: { version: string; url: string } | null, running = kitVersion): string | null {
  if (!release || !running || !isNewer(release.version, running)) return null;
  return `tlp-broker-partner ${release.version} is available from the broker (this is ${running}): npx --yes ${release.url} …`;
}
