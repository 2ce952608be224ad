// An inventory written as JSON (docs/inventory.md) → Inventory, or every problem with its
// JSON path. Used by `nodepool plan --inventory FILE` until the live cloud reader exists.
import { z } from "zod";
import type { ImageBuild, Inventory, PoolNode, TemplateServer } from "./inventory.js";
import { compareNatural } from "../core/sort.js";
import { err, ok, type Result } from "../core/result.js";

const seconds = z.number().int().nonnegative();
const version = z.number().int().positive();
const text = z.string().min(1);

const imageBuild = z
  .strictObject({
    provider: text,
    image: text,
    version,
    state: z.enum(["building", "ready", "failed", "deactivated"]),
    createdAt: seconds,
    cloudImageId: text.optional(),
    templateServerId: text.optional(),
    hostname: text,
    definitionHash: text.optional(),
    stack: text.optional(),
  })
  .refine((b) => b.state !== "ready" || b.cloudImageId !== undefined, {
    message: "a ready build needs its cloudImageId",
    path: ["cloudImageId"],
  });

const templateServer = z.strictObject({
  provider: text,
  image: text,
  version,
  serverId: text,
  hostname: text,
  state: z.enum(["building", "active", "shutoff", "failed"]),
  createdAt: seconds,
  definitionHash: text.optional(),
  stack: text.optional(),
  setupDone: z.boolean().optional(),
  fault: text.optional(),
});

const poolNode = z.strictObject({
  provider: text,
  label: text,
  name: text,
  imageVersion: version,
  cloudImageId: text.optional(),
  state: z.enum(["building", "ready", "in-use", "used", "hold", "failed", "deleting"]),
  createdAt: seconds,
  serverId: text,
  serverStatus: text.optional(),
  fault: text.optional(),
  ip: text.optional(),
  claimedBy: text.optional(),
  stateChangedAt: seconds.optional(),
  holdReason: text.optional(),
  stack: text.optional(),
});

const nodeRequest = z.strictObject({
  provider: text,
  id: text,
  label: text,
  requester: z.string(),
  createdAt: seconds,
  heartbeatAt: seconds,
});

const count = z.number().int().nonnegative();
const headroom = z.strictObject({ limit: count, used: count });
const quota = z.strictObject({
  instances: headroom.optional(),
  cores: headroom.optional(),
  ramMb: headroom.optional(),
  ports: headroom.optional(),
});
const flavorSize = z.strictObject({ vcpus: count, ramMb: count });

const providerInventory = z.discriminatedUnion("readable", [
  z.strictObject({
    provider: text,
    readable: z.literal(true),
    images: z.array(imageBuild).default([]),
    templates: z.array(templateServer).default([]),
    nodes: z.array(poolNode).default([]),
    requests: z.array(nodeRequest).default([]),
    quota: quota.optional(),
    flavors: z.record(z.string(), flavorSize).optional(),
  }),
  z.strictObject({ provider: text, readable: z.literal(false), error: text }),
]);

const inventorySchema = z
  .strictObject({ readAt: seconds, providers: z.record(z.string(), providerInventory) })
  .superRefine((inventory, ctx) => {
    const names = new Set<string>();
    for (const [key, provider] of Object.entries(inventory.providers)) {
      if (provider.provider !== key)
        ctx.addIssue({
          code: "custom",
          path: ["providers", key, "provider"],
          message: `must be "${key}", the key it is listed under`,
        });
      if (!provider.readable) continue;
      // A node's name is its identity in the Pulumi program.
      provider.nodes.forEach((node, index) => {
        if (names.has(node.name))
          ctx.addIssue({
            code: "custom",
            path: ["providers", key, "nodes", index, "name"],
            message: `node name "${node.name}" is used twice`,
          });
        names.add(node.name);
      });
      for (const kind of ["images", "templates", "nodes"] as const)
        provider[kind].forEach((item, index) => {
          if (item.provider !== key)
            ctx.addIssue({
              code: "custom",
              path: ["providers", key, kind, index, "provider"],
              message: `is "${item.provider}" but it is listed under provider "${key}"`,
            });
        });
    }
  });

// The file format follows the Inventory types: a field added there fails to compile here.
type Assignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Same<A, B> = Assignable<A, B> extends true ? Assignable<keyof A, keyof B> : false;
const sameShape: [
  Same<z.output<typeof imageBuild>, ImageBuild>,
  Same<z.output<typeof templateServer>, TemplateServer>,
  Same<z.output<typeof poolNode>, PoolNode>,
] = [true, true, true];
void sameShape;

/** Problems are "path: message", e.g. `providers.hpcloud-az2.nodes[3].state: …`. */
export function parseInventory(json: string): Result<Inventory, string[]> {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    return err([`not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = inventorySchema.safeParse(input);
  if (!parsed.success)
    return err(
      parsed.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`).sort(compareNatural),
    );
  return ok(parsed.data as Inventory);
}

function jsonPath(path: readonly PropertyKey[]): string {
  let result = "";
  for (const part of path)
    result += typeof part === "number" ? `[${part}]` : result === "" ? String(part) : `.${String(part)}`;
  return result === "" ? "(top level)" : result;
}
