// Exit codes mean the same thing in every command, so scripts can branch on them.
export const EXIT = {
  /** Done; for validate: the file is valid. */
  ok: 0,
  /** The input is invalid, or the work failed (the message says which). */
  failed: 1,
  /** Wrong usage: unknown command or option, missing argument, a flag without its value, a bad number. */
  usage: 2,
  /** node claim: no ready node of that label (after --wait, if given). */
  noNode: 3,
  /** A cloud could not be read or refused a request. */
  cloud: 4,
} as const;
