// Where commands write. Tests pass their own to capture output without spawning processes.
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Progress on long waits; quiet when not a terminal unless asked. */
  progress: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  progress: (text) => {
    if (process.stderr.isTTY) process.stderr.write(`${text}\n`);
  },
};

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
