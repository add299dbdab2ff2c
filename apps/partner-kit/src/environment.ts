/**
 * The partner kit's environment, read here and only here: the kit is a program of its own, run on
 * partners' machines, with none of the broker's settings.
 */
export const kitEnvironment = {
  /** Where the kit keeps its settings and state (`--home`). */
  home: process.env.TLPB_PARTNER_HOME,
  /** The channel's API key, for `init` when no file is given. */
  apiKey: process.env.TLPB_PARTNER_API_KEY,
  /** The partner key's passphrase, for `init` when no file is given. */
  passphrase: process.env.TLPB_PARTNER_PASSPHRASE,
  /** Print the stack of an unexpected error. */
  debug: Boolean(process.env.TLPB_PARTNER_DEBUG),
} as const;
