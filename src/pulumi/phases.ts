// Where the program's share of a round goes. `nodepool reconcile` names a file in
// NODEPOOL_PHASES_FILE; the program appends one line per phase (wall-clock ms, since it runs
// in another process than the round's timer) and the round turns them into its breakdown
// (src/reconciler/round.ts). Unset (a plain `pulumi up`), nothing is written.
import { appendFileSync } from "node:fs";

export const PHASES_FILE_ENV = "NODEPOOL_PHASES_FILE";

export type ProgramPhase =
  /** The language host started the program's Node process. */
  | "processStarted"
  /** The program's modules (Pulumi's SDK, the provider, ours) are loaded. */
  | "modulesLoaded"
  /** Every provider's inventory was read (the last read, when fencing made the plan again). */
  | "inventoryRead"
  /** The plan is made, its doomed nodes fenced: declaring starts. */
  | "decided"
  /** Nova answered the deletes of the nodes the plan drops (sent at once, not after the creates). */
  | "nodesDeleteSent";

export interface PhaseMark {
  phase: ProgramPhase;
  atMs: number;
}

export function phaseRecorder(file: string | undefined): (phase: ProgramPhase, atMs?: number) => void {
  if (!file) return () => {};
  return (phase, atMs = Date.now()) => {
    try {
      appendFileSync(file, `${JSON.stringify({ phase, atMs } satisfies PhaseMark)}\n`);
    } catch {
      // A breakdown is not worth failing a round for.
    }
  };
}

/** The marks of a phases file's text; lines that are not marks are skipped. */
export function parsePhases(text: string): PhaseMark[] {
  const marks: PhaseMark[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const mark = JSON.parse(line) as Partial<PhaseMark>;
      if (typeof mark.phase === "string" && typeof mark.atMs === "number")
        marks.push({ phase: mark.phase, atMs: mark.atMs });
    } catch {
      continue;
    }
  }
  return marks;
}
