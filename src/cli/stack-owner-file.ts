// The owner (`nodepool:owner`) of a stack, from its config file in the repository, for
// `nodepool plan --stack NAME`: the stack whose `pulumi up` the plan shows. Pulumi.yaml beside
// images.yaml says where stack files live (stackConfigDir); both are read through the
// repository boundary (config/repo-files.ts), so no path reaches outside it.
import { parse as parseYaml } from "yaml";
import { boundaryOf, readRepoFile } from "../config/repo-files.js";
import { err, ok, type Result } from "../core/result.js";

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export function stackOwnerFromFile(imagesFile: string, stack: string): Result<string, string> {
  if (!STACK_NAME.test(stack))
    return err(`--stack ${stack}: a stack name is letters, digits, '_', '.' and '-'`);
  const boundary = boundaryOf(imagesFile);
  const project = readRepoFile(boundary, "Pulumi.yaml");
  if (!project.ok)
    return err(
      `--stack ${stack}: Pulumi.yaml beside ${imagesFile}: ${project.error}; give the owner with --owner`,
    );
  const dir = yamlField(project.value, "stackConfigDir") ?? ".";
  const path = `${dir.replace(/\/+$/, "")}/Pulumi.${stack}.yaml`.replace(/^\.\//, "");
  const file = readRepoFile(boundary, path);
  if (!file.ok) return err(`--stack ${stack}: ${path}: ${file.error}`);
  let config: unknown;
  try {
    config = (parseYaml(file.value) as { config?: Record<string, unknown> } | null)?.config?.[
      "nodepool:owner"
    ];
  } catch (error) {
    return err(`--stack ${stack}: ${path}: not YAML (${(error as Error).message.split("\n")[0]})`);
  }
  if (typeof config !== "string" || config.trim() === "")
    return err(`--stack ${stack}: ${path} sets no nodepool:owner (docs/pulumi.md, "The owner")`);
  return ok(config.trim());
}

function yamlField(text: string, key: string): string | undefined {
  try {
    const value = (parseYaml(text) as Record<string, unknown> | null)?.[key];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
