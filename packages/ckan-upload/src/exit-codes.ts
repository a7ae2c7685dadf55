/** Exit codes of `ckan-upload` (documented in docs/command-line.md). */
export const EXIT = {
  /** Every file uploaded and registered. */
  ok: 0,
  /** Some files failed (each is named); the others are done. */
  someFailed: 1,
  /** Bad command line, missing portal or token, unreadable file, token file readable by others. */
  usage: 2,
  /** The token was refused, or the user may not add files to the dataset, or the dataset is unknown. */
  auth: 3,
  /** The portal or the object store could not be reached (after waiting out the outage tolerance). */
  unreachable: 4,
  /** Paused by Ctrl-C (128 + SIGINT): state saved, resumable. */
  interrupted: 130,
} as const;

/** An error that ends the command with `exitCode` and a message for the user. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}
