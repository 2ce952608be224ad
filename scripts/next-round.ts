// Waits until the next `pulumi up` round has something to do, as a schedule running `up`
// every few minutes would find it. The main job uses it to carry a build through its three
// rounds (boot the template server, snapshot it once set up, boot pools from it).
//   exit 0: the plan has actions (run `pulumi up`)
//   exit 10: nothing to do and no build in progress (done)
//   exit 11: a build is still setting up after --timeout seconds
//   exit 1: `nodepool plan` failed (its message is printed)
// Run: node --import tsx scripts/next-round.ts [--timeout SECONDS]
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { nextRound } from "../src/plan/next-round.js";
import type { Plan } from "../src/plan/types.js";

const POLL_SECONDS = 5;
const run = promisify(execFile);

const timeoutArg = process.argv.indexOf("--timeout");
const timeoutSeconds = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : 600;
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
  console.error("next-round: --timeout needs a number of seconds");
  process.exit(2);
}

async function currentPlan(): Promise<Plan> {
  try {
    const { stdout } = await run(process.execPath, ["bin/nodepool.js", "plan", "--json"], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout) as Plan;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    console.error(`next-round: nodepool plan failed\n${failed.stderr || failed.stdout || failed.message}`);
    process.exit(1);
  }
}

const started = Date.now();
for (;;) {
  const plan = await currentPlan();
  const next = nextRound(plan);
  if (next.kind === "work") {
    console.log(`next round: ${next.summary}`);
    process.exit(0);
  }
  if (next.kind === "done") {
    console.log("next round: nothing to do");
    process.exit(10);
  }
  const building = next.building;
  const waited = Math.round((Date.now() - started) / 1000);
  if (waited >= timeoutSeconds) {
    console.log(`next round: still setting up after ${waited} s: ${building.join(", ")}`);
    process.exit(11);
  }
  console.log(`[${waited}s] waiting for the setup of ${building.join(", ")} to finish`);
  await new Promise((resolve) => setTimeout(resolve, POLL_SECONDS * 1000));
}
