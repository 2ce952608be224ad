// This stack's resources from its own Pulumi state, by `pulumi stack export`: what the program
// declares again for a provider it could not read (frozen-state.ts). The CLI running the
// program (`pulumi up`, or the Automation API's under `nodepool reconcile`) is on PATH with the
// backend it logged in to; an export reads the state without taking the update's lock, and
// before the program declares anything it is the state the update started from.
import { execFile } from "node:child_process";
import { err, ok, type Result } from "../core/result.js";
import type { StateResource } from "./frozen-state.js";

const EXPORT_TIMEOUT_MS = 60_000;

export function exportStackState(
  projectDir: string,
  stack: string,
): Promise<Result<StateResource[], string>> {
  return new Promise((done) => {
    execFile(
      "pulumi",
      ["stack", "export", "--stack", stack, "--non-interactive"],
      { cwd: projectDir, maxBuffer: 512 * 1024 * 1024, timeout: EXPORT_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) {
          const said = String(stderr).trim().split("\n").pop() || error.message;
          return done(err(`pulumi stack export --stack ${stack}: ${said}`));
        }
        try {
          const exported = JSON.parse(stdout) as { deployment?: { resources?: StateResource[] } };
          done(ok(exported.deployment?.resources ?? []));
        } catch (e) {
          done(err(`pulumi stack export --stack ${stack}: not JSON (${(e as Error).message})`));
        }
      },
    );
  });
}
