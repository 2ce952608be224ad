// The images.yaml schema: the one source of truth for config types, defaults and per-field
// validation. Cross-references (does this label's image exist?) are checked in validate.ts,
// on the typed result. Keys are kebab-case in YAML, as in Nodepool's own config; the parsed
// Config is camelCase for the code.
import { z } from "zod";
import { parseDuration } from "./duration.js";
import { repoPathProblem } from "./repo-path.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const name = z
  .string()
  .regex(NAME, { message: "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit" });

const duration = z.string().transform((text, ctx) => {
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not a duration (write it like "24h", "90m", "1h30m", "2d")`,
    });
    return z.NEVER;
  }
  return seconds;
});

/** A file in the repository, relative to images.yaml (repo-path.ts; repo-files.ts on disk). */
const repoPath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const problem = repoPathProblem(path);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `"${path}" ${problem}` });
  });

const count = (min: number) => z.number().int().min(min);

/** A build's version: the Unix time (seconds) its build started, as the seed's 1394417686. */
const version = z.number().int().positive();

export const providerFields = z.strictObject({
  name,
  /** The entry of the user's clouds.yaml to use; defaults to the provider's name. */
  cloud: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  "max-servers": count(1),
  /** Default flavor of template servers and nodes here. */
  flavor: z.string().min(1),
  networks: z.array(z.string().min(1)).default([]),
  /** Domain of template hostnames: devstack-precise-1394417686.template.openstack.org */
  "template-domain": z.string().min(1).optional(),
  /** A node still booting this long after it was created is deleted (Nodepool's launch-timeout). */
  "launch-timeout": duration.default(3600),
});

export const providerSchema = providerFields.transform((p) => ({
  name: p.name,
  cloud: p.cloud ?? p.name,
  region: p.region,
  maxServers: p["max-servers"],
  flavor: p.flavor,
  networks: p.networks,
  templateDomain: p["template-domain"],
  launchTimeoutSeconds: p["launch-timeout"],
}));

export const imageFields = z.strictObject({
  name,
  "base-image": z.string().min(1),
  /** Flavor of the template server; defaults to the provider's flavor. */
  flavor: z.string().min(1).optional(),
  /** Path of a script in the repo (relative to images.yaml), run on the template server. */
  setup: repoPath,
  "rebuild-age": duration.default(24 * 3600),
  "build-timeout": duration.default(3600),
  /** Ready builds kept per provider; the current and the previous one are always kept. */
  keep: count(2).default(2),
  providers: z.array(name).min(1),
  paused: z.boolean().default(false),
});

export const imageSchema = imageFields.transform((i) => ({
  name: i.name,
  baseImage: i["base-image"],
  flavor: i.flavor,
  setup: i.setup,
  rebuildAgeSeconds: i["rebuild-age"],
  buildTimeoutSeconds: i["build-timeout"],
  keep: i.keep,
  providers: i.providers,
  paused: i.paused,
}));

export const labelFields = z.strictObject({
  name,
  image: name,
  /** Ready nodes to keep per provider. */
  "min-ready": z.record(z.string(), count(0)),
  /** Ready nodes older than this are replaced; unset means never. */
  "max-ready-age": duration.optional(),
  /** A node held longer than this (since its hold) is released and replaced; unset: never. */
  "max-hold-age": duration.optional(),
  /** A node in use longer than this (since its claim) is reported, or released (below). */
  "max-in-use-age": duration.optional(),
  /** What the plan does with a node past max-in-use-age: report it, or release it. */
  "on-max-in-use-age": z.enum(["report", "release"]).default("report"),
  /** Flavor of the nodes; defaults to the provider's flavor. */
  flavor: z.string().min(1).optional(),
});

export const labelSchema = labelFields.transform((l) => ({
  name: l.name,
  image: l.image,
  minReady: l["min-ready"],
  maxReadyAgeSeconds: l["max-ready-age"],
  maxHoldAgeSeconds: l["max-hold-age"],
  maxInUseAgeSeconds: l["max-in-use-age"],
  onMaxInUseAge: l["on-max-in-use-age"],
  flavor: l.flavor,
}));

export const configFields = z.strictObject({
  providers: z.array(providerSchema).min(1),
  images: z.array(imageSchema).default([]),
  labels: z.array(labelSchema).default([]),
  /** image → provider → version: use this build instead of the newest ready one. */
  pins: z.record(z.string(), z.record(z.string(), version)).default({}),
  /** image → provider → versions: bad builds that must never be used again. */
  rejected: z.record(z.string(), z.record(z.string(), z.array(version))).default({}),
});

export const configSchema = configFields.transform((c) => ({
  providers: c.providers,
  images: c.images,
  labels: c.labels,
  pins: c.pins,
  rejected: c.rejected,
}));

export type ProviderConfig = z.output<typeof providerSchema>;
export type ImageConfig = z.output<typeof imageSchema>;
export type LabelConfig = z.output<typeof labelSchema>;
export type Config = z.output<typeof configSchema>;
