// Run CLI commands in-process and keep what they print.
import type { Io } from "../../src/cli/io.js";

export interface CapturedIo extends Io {
  stdout: () => string;
  stderr: () => string;
}

export function captureIo(): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const line = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
  return {
    out: (text) => out.push(line(text)),
    err: (text) => err.push(line(text)),
    progress: (text) => err.push(line(text)),
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}
