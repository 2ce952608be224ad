// One round: `pulumi up` of this project's stack through Pulumi's Automation API, the same
// program and state as CI's `pulumi up`. A stack locked by another update (CI, a second
// reconciler) is waited out, bounded; an abort (SIGTERM) cancels the update the way Ctrl-C
// does, so the engine finishes its steps in flight, writes the state and releases the lock.
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PHASES_FILE_ENV, parsePhases, phaseRecorder, type ProgramPhase } from "../pulumi/phases.js";
import { stackOwner } from "../pulumi/stack-owner.js";
import { abortableSleep } from "./sleep.js";
import {
  ConcurrentUpdateError,
  LocalWorkspace,
  Stack,
  type EngineEvent,
} from "@pulumi/pulumi/automation/index.js";

export interface RoundSettings {
  /** The Pulumi project directory (Pulumi.yaml, and its stack config). */
  workDir: string;
  stack: string;
  /** Set for the engine and the program on every round (NODEPOOL_IMAGES_FILE, …). */
  env: Record<string, string>;
  /** How long a lock held by someone else is waited for before the round gives up. */
  lockWaitSeconds: number;
  /** How often a held lock is looked at again. */
  lockPollSeconds?: number;
  /**
   * The program, run inline in this process (src/pulumi/entry.ts): no language host, Node
   * start or module load per round. Unset, the engine runs Pulumi.yaml's `main` as
   * `pulumi up` would.
   */
  program?: (phase: (phase: ProgramPhase) => void) => Promise<Record<string, unknown>>;
}

/** Where a round's time went, in seconds from its start (milestones absent when not reached). */
export interface RoundTimings {
  lockWait: number;
  /** The engine said it started (its prelude): CLI start, backend, plugins. */
  engineStarted?: number;
  /** The program's process started (the engine launched the language host, it launched Node). */
  programStarted?: number;
  /** The program's modules were loaded (Pulumi's SDK, the OpenStack provider's SDK, ours). */
  programLoaded?: number;
  /** The program had read every provider's inventory. */
  inventoryRead?: number;
  /** The program had made its plan and fenced the nodes it deletes. */
  decided?: number;
  /** The program declared its first cloud resource: language host, program start, inventory, plan. */
  firstResource?: number;
  /** The first create was sent, and the last create or delete finished. */
  firstCreate?: number;
  lastCreateDone?: number;
  /** Nova answered the program's deletes of the nodes the plan drops (sent as soon as it decided). */
  nodesDeleteSent?: number;
  firstDelete?: number;
  lastDeleteDone?: number;
  total: number;
}

export type RoundOutcome =
  | { kind: "done"; changes: Record<string, number>; timings: RoundTimings; lockHolder?: string }
  | { kind: "failed"; message: string; timings: RoundTimings; lockHolder?: string }
  | { kind: "locked"; message: string; timings: RoundTimings; lockHolder?: string }
  | { kind: "cancelled"; timings: RoundTimings };

const PROGRAM_PHASES: Record<ProgramPhase, keyof RoundTimings> = {
  processStarted: "programStarted",
  modulesLoaded: "programLoaded",
  inventoryRead: "inventoryRead",
  decided: "decided",
  nodesDeleteSent: "nodesDeleteSent",
};

export class RoundRunner {
  private stack?: Stack;
  private ownerValue?: string;
  /** Where the program marks its phases (src/pulumi/phases.ts); one file for every round. */
  private readonly phasesFile = join(
    tmpdir(),
    `nodepool-phases-${process.pid}-${randomBytes(4).toString("hex")}`,
  );

  constructor(private readonly settings: RoundSettings) {}

  private async open(): Promise<Stack> {
    if (this.stack) return this.stack;
    const envVars = { ...this.settings.env, [PHASES_FILE_ENV]: this.phasesFile };
    const { program } = this.settings;
    if (program) {
      // Pulumi.yaml and the stack config still come from workDir; only `main` is not run.
      const phase = phaseRecorder(this.phasesFile);
      const workspace = await LocalWorkspace.create({
        workDir: this.settings.workDir,
        envVars,
        program: () => program(phase),
      });
      this.stack = await Stack.select(this.settings.stack, workspace);
    } else {
      this.stack = await LocalWorkspace.selectStack(
        { stackName: this.settings.stack, workDir: this.settings.workDir },
        { envVars },
      );
    }
    return this.stack;
  }

  /**
   * The stack's owner (its nodepool:owner config, the nodepool_stack tag of what it created),
   * read once; undefined while it cannot be read (the program then refuses to run anyway).
   */
  async owner(): Promise<string | undefined> {
    if (this.ownerValue !== undefined) return this.ownerValue;
    let configured: string | undefined;
    try {
      configured = (await (await this.open()).getConfig("nodepool:owner")).value;
    } catch {
      return undefined;
    }
    const owner = stackOwner(configured, this.settings.stack);
    if (owner.ok) this.ownerValue = owner.value;
    return this.ownerValue;
  }

  /** The program's phases of the attempt that started at startedAtMs (wall clock), as seconds. */
  private programPhases(timings: RoundTimings, startedAtMs: number, offsetSeconds: number): void {
    let text = "";
    try {
      text = readFileSync(this.phasesFile, "utf8");
    } catch {
      return;
    }
    // A fence that made the plan again reads twice: the last read counts.
    for (const mark of parsePhases(text))
      if (mark.phase in PROGRAM_PHASES)
        timings[PROGRAM_PHASES[mark.phase]] = offsetSeconds + (mark.atMs - startedAtMs) / 1000;
  }

  async run(signal: AbortSignal): Promise<RoundOutcome> {
    const started = performance.now();
    const since = () => (performance.now() - started) / 1000;
    const timings: RoundTimings = { lockWait: 0, total: 0 };
    const finish = <T extends RoundOutcome>(outcome: T): T => {
      timings.total = since();
      rmSync(this.phasesFile, { force: true });
      return outcome;
    };
    let lockHolder: string | undefined;
    const lockDeadline = started + this.settings.lockWaitSeconds * 1000;
    for (;;) {
      if (signal.aborted) return finish({ kind: "cancelled", timings });
      const attemptStarted = since();
      const attemptStartedAtMs = Date.now();
      writeFileSync(this.phasesFile, "", { mode: 0o600 });
      const output: string[] = [];
      // Per step kind, the cloud resources it was taken for (create, delete, same, …).
      const changes: Record<string, number> = {};
      try {
        const stack = await this.open();
        await stack.up({
          signal,
          color: "never",
          onOutput: (text) => keepTail(output, text),
          onEvent: (event) => milestone(timings, changes, event, since()),
        });
        this.programPhases(timings, attemptStartedAtMs, attemptStarted);
        return finish({ kind: "done", changes, timings, ...(lockHolder ? { lockHolder } : {}) });
      } catch (error) {
        this.programPhases(timings, attemptStartedAtMs, attemptStarted);
        if (signal.aborted) return finish({ kind: "cancelled", timings });
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof ConcurrentUpdateError)) {
          return finish({ kind: "failed", message: failureText(message, output), timings });
        }
        lockHolder = lockHolderOf(message) ?? "another update";
        const pollMs = (this.settings.lockPollSeconds ?? 2) * 1000;
        if (performance.now() + pollMs > lockDeadline)
          return finish({
            kind: "locked",
            message: `the stack stayed locked by ${lockHolder} for ${Math.round(since())} s`,
            timings,
            lockHolder,
          });
        await abortableSleep(pollMs, signal);
        timings.lockWait += since() - attemptStarted;
      }
    }
  }
}

/**
 * Resources that are something in a cloud: not the stack, nodepool's components or provider
 * instances, whose steps are bookkeeping.
 */
export function isCloudResource(type: string): boolean {
  return (
    type !== "pulumi:pulumi:Stack" && !type.startsWith("nodepool:") && !type.startsWith("pulumi:providers:")
  );
}

function milestone(
  timings: RoundTimings,
  changes: Record<string, number>,
  event: EngineEvent,
  at: number,
): void {
  if (event.preludeEvent) timings.engineStarted ??= at;
  const pre = event.resourcePreEvent?.metadata;
  if (pre && isCloudResource(pre.type)) {
    timings.firstResource ??= at;
    if (pre.op === "create") timings.firstCreate ??= at;
    if (pre.op === "delete") timings.firstDelete ??= at;
  }
  const done = event.resOutputsEvent?.metadata;
  if (done && isCloudResource(done.type)) {
    changes[done.op] = (changes[done.op] ?? 0) + 1;
    if (done.op === "create") timings.lastCreateDone = at;
    if (done.op === "delete") timings.lastDeleteDone = at;
  }
}

/** "root@ci-runner-3 (pid 4242)" from the DIY backend's lock message, when it names one. */
export function lockHolderOf(message: string): string | undefined {
  const match = /created by ([^\s]+)(?: \(pid (\d+)\))?/.exec(message);
  if (!match) return undefined;
  return match[2] ? `${match[1]} (pid ${match[2]})` : match[1];
}

const TAIL_LINES = 30;

function keepTail(lines: string[], text: string): void {
  lines.push(...text.split("\n").filter((line) => line.trim() !== ""));
  if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
}

/** The engine's own error lines (what failed and why), not the Automation API's wrapping. */
function failureText(message: string, output: readonly string[]): string {
  const errors = [...message.split("\n"), ...output]
    .map((line) => line.trim())
    .filter((line) => /error:|nodepool declares nothing|refused/i.test(line));
  const unique = [...new Set(errors)].slice(0, 8);
  return unique.length > 0 ? unique.join(" | ") : (message.split("\n").find((l) => l.trim()) ?? message);
}
