// `nodepool node claim LABEL`: take one ready node for a job.
import { hostname } from "node:os";
import { claimInProvider, randomShuffle, sortedByName, type ClaimedNode } from "../../nodes/claim.js";
import { openRequest, type OpenRequest } from "../../nodes/request.js";
import { jitteredPollDelayMs, POLL_SECONDS, REQUEST_POLL_SECONDS } from "../../nodes/wait.js";
import { openProvider } from "../../openstack/clients.js";
import { pokeReconciler } from "../poke-reconciler.js";
import { loadConfig } from "../../config/load.js";
import { formatIssue } from "../../config/issues.js";
import { withConfigFile, withJson, type Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { printJson } from "../io.js";
import { wholeNumber } from "../numbers.js";
import { nodeId } from "../../core/ids.js";
import { hasPool } from "../../plan/node-rules.js";

interface ClaimArgs {
  label: string;
  file: string;
  provider?: string;
  json: boolean;
  wait: number;
  claimer?: string;
  shuffle: boolean;
  startAt?: number;
  staleClaimSeconds?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const nodeClaimCommand: Command<ClaimArgs> = {
  command: "claim <label>",
  describe: "Take one ready node of a label for a job and mark it in-use; prints its id, name and IP",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .positional("label", { type: "string", describe: "the label (pool) to take a node from" })
      .option("provider", {
        type: "string",
        describe: "only this provider (default: every provider of the label)",
      })
      .option("wait", {
        ...wholeNumber("--wait", "a whole number of seconds", 0),
        default: 0,
        describe:
          "wait up to this many seconds for a ready node; while it waits, a node request asks " +
          "the pool to boot one (see `nodepool request-list`)",
      })
      .option("claimer", {
        type: "string",
        describe: "who claims, recorded on the node (default: $NODEPOOL_CLAIMER, else host:pid)",
      })
      // --no-shuffle: every claimer tries the nodes in name order, so concurrent claimers
      // collide on purpose (tests of the port lock). Not for production use.
      .option("shuffle", { type: "boolean", default: true, hidden: true })
      // --start-at MS: wait until this Unix time in milliseconds before the first look, so that
      // claimers started as separate processes reach the cloud together (tests of the lock).
      // --stale-claim-seconds S: take over locks older than S instead of STALE_CLAIM_SECONDS.
      // Lock ages are on the cloud's clock, so a test cannot backdate one (tests of takeover).
      .option("stale-claim-seconds", {
        ...wholeNumber("--stale-claim-seconds", "a positive whole number of seconds", 1),
        hidden: true,
      })
      .option("start-at", {
        ...wholeNumber("--start-at", "a positive whole number of Unix milliseconds", 1),
        hidden: true,
      })
      .example([
        ["$0 node claim devstack-precise --json", "claim a node; JSON with id, name, ip"],
        ["$0 node claim devstack-precise --wait 600 --claimer job-1234", "wait up to 10 minutes"],
      ])
      .epilogue(
        "With NODEPOOL_RECONCILER_URL set (e.g. http://127.0.0.1:9180), a claim and a request tell " +
          "`nodepool reconcile` to look now, so the pool's replacement boots at once.\n\n" +
          "Exit codes: 0 claimed, 3 no ready node (after --wait), 4 a cloud refused, 1 bad images.yaml, " +
          "2 the label has no pool in images.yaml (or wrong usage).",
      ),
  run: async (args, io) => {
    const loaded = loadConfig(args.file);
    if (!loaded.ok) {
      for (const issue of loaded.error) io.err(formatIssue(issue));
      return EXIT.failed;
    }
    const label = loaded.value.labels.find((l) => l.name === args.label);
    if (!label) {
      io.err(`nodepool node claim: no label "${args.label}" in ${args.file}`);
      return EXIT.usage;
    }
    const providers = loaded.value.providers.filter(
      (p) => hasPool(label, p.name) && (args.provider === undefined || p.name === args.provider),
    );
    if (providers.length === 0) {
      io.err(`nodepool node claim: label ${args.label} has no pool in ${args.provider ?? "any provider"}`);
      return EXIT.usage;
    }
    const claimer = args.claimer ?? process.env.NODEPOOL_CLAIMER ?? `${hostname()}:${process.pid}`;
    if (args.startAt !== undefined) await sleep(Math.max(0, Math.min(args.startAt - Date.now(), 60_000)));
    const deadline = Date.now() + args.wait * 1000;
    const cloudErrors: string[] = [];
    const skipped: string[] = [];
    let lostRaces = 0;
    let lostDespite200 = 0;
    // Opened once for every look: each provider's session keeps its token (renewed if the wait
    // outlives it), so a waiting job asks Keystone once, not once per look.
    const opened = providers.map((provider) => openProvider(provider));
    // Demand: a claim that waits records one request (in the label's first provider that
    // opened), so the pool boots a node for it beyond min-ready. Ended on every way out.
    let request: OpenRequest | undefined;
    let requestTried = false;
    const endRequest = async () => {
      await request?.close();
      request = undefined;
    };
    const onSignal = (signal: NodeJS.Signals) => {
      void endRequest().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      return await claimLoop();
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await endRequest();
    }

    async function claimLoop(): Promise<number> {
      for (;;) {
        cloudErrors.length = 0;
        // In random order, so jobs spread over the providers instead of draining the first.
        for (const clients of randomShuffle(opened)) {
          if (!clients.ok) {
            cloudErrors.push(clients.error.message);
            continue;
          }
          const claimed = await claimInProvider(clients.value, {
            label: args.label,
            claimer,
            now: Math.floor(Date.now() / 1000),
            order: args.shuffle ? randomShuffle : sortedByName,
            staleClaimSeconds: args.staleClaimSeconds,
          });
          if (claimed.ok) {
            const code = report({
              ...claimed.value,
              lostRaces: lostRaces + claimed.value.lostRaces,
              lostDespite200: lostDespite200 + claimed.value.lostDespite200,
            });
            // The pool is one ready node short: its replacement boots at once, not a look later.
            await pokeReconciler();
            return code;
          }
          if (claimed.error.kind === "cloud") cloudErrors.push(claimed.error.message);
          else {
            lostRaces += claimed.error.lostRaces;
            lostDespite200 += claimed.error.lostDespite200;
            skipped.push(...claimed.error.skipped);
            skipped.push(
              ...claimed.error.portless.map(
                (node) =>
                  `${node.name} in ${clients.value.provider}: it has no port (give the provider a network)`,
              ),
            );
          }
        }
        if (!requestTried && args.wait > 0) {
          requestTried = true;
          const first = opened.find((clients) => clients.ok);
          if (first?.ok) {
            const provider = providers.find((p) => p.name === first.value.provider)!;
            const recorded = await openRequest(first.value, provider.networks[0] ?? "", args.label, claimer);
            if (recorded.ok) {
              request = recorded.value;
              io.err(
                `no ready ${args.label} node: requested one in ${request.provider} (request ${request.id})`,
              );
              // The pool boots for the request at its next look: make that now.
              await pokeReconciler();
            } else io.err(`nodepool node claim: ${recorded.error}; waiting without a request`);
          }
        }
        // Jittered, so that jobs which started waiting together do not list the cloud in step.
        // With a request open, a node is booting for this claim: look more often.
        const poll = request ? REQUEST_POLL_SECONDS : POLL_SECONDS;
        const delay = jitteredPollDelayMs(Date.now(), deadline, Math.random, poll);
        if (delay === undefined) break;
        // On stderr even when it is not a terminal: a CI log should show why the job waits.
        io.err(
          `no ready ${args.label} node yet; looking again in ${Math.ceil(delay / 1000)} s ` +
            `(${Math.ceil((deadline - Date.now()) / 1000)} s left)`,
        );
        await sleep(delay);
      }
      for (const message of cloudErrors) io.err(`nodepool node claim: ${message}`);
      if (cloudErrors.length === providers.length) return EXIT.cloud;
      for (const why of new Set(skipped)) io.err(`nodepool node claim: skipped ${why}`);
      const raced =
        lostRaces > 0 ? ` (lost ${lostRaces} race${lostRaces === 1 ? "" : "s"} to other claimers)` : "";
      io.err(
        `nodepool node claim: no ready ${args.label} node${args.wait > 0 ? ` within ${args.wait} s` : ""}${raced}`,
      );
      return EXIT.noNode;
    }

    function report(node: ClaimedNode): number {
      const id = nodeId(node);
      if (args.json) printJson(io, { id, ...node });
      else io.out(`${id} ${node.name} ${node.ip ?? "-"}`);
      return EXIT.ok;
    }
  },
};
