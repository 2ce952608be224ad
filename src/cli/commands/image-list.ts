// `nodepool image-list`: the image builds in every provider, as Nodepool's operators know it.
import { withConfigFile, withJson, type Command } from "../command.js";
import { imageBuildId } from "../../core/ids.js";
import { compareNatural } from "../../core/sort.js";
import { ageHours, runLiveList, type LiveInventory } from "../live-inventory.js";
import { renderTable, type Column } from "../table.js";

interface ImageListArgs {
  file: string;
  image?: string;
  provider?: string;
  json: boolean;
}

export interface ImageRow {
  id: string;
  provider: string;
  image: string;
  hostname: string;
  version: number;
  cloudImageId: string | null;
  serverId: string | null;
  /** The build's state; a template server with no snapshot yet shows as "building". */
  state: string;
  createdAt: number;
  ageHours: number;
}

const COLUMNS: Column[] = [
  { header: "ID" },
  { header: "Provider" },
  { header: "Image" },
  { header: "Hostname" },
  { header: "Version", align: "right" },
  { header: "Image ID" },
  { header: "Server ID" },
  { header: "State" },
  { header: "Age (hours)", align: "right" },
];

/** Every build of the readable providers, sorted by provider, image, version. */
export function imageRows(live: Pick<LiveInventory, "readable" | "inventory">, image?: string): ImageRow[] {
  const now = live.inventory.readAt;
  const rows: ImageRow[] = [];
  for (const provider of live.readable) {
    const snapshotted = new Set(provider.images.map((build) => `${build.image}\u0000${build.version}`));
    for (const build of provider.images) {
      rows.push({
        id: imageBuildId(build),
        provider: build.provider,
        image: build.image,
        hostname: build.hostname,
        version: build.version,
        cloudImageId: build.cloudImageId ?? null,
        serverId: build.templateServerId ?? null,
        state: build.state,
        createdAt: build.createdAt,
        ageHours: Number(ageHours(build.createdAt, now)),
      });
    }
    // A build whose template server is still being set up has no image yet: show it anyway.
    for (const template of provider.templates) {
      if (snapshotted.has(`${template.image}\u0000${template.version}`)) continue;
      rows.push({
        id: imageBuildId(template),
        provider: template.provider,
        image: template.image,
        hostname: template.hostname,
        version: template.version,
        cloudImageId: null,
        serverId: template.serverId,
        state: template.state === "failed" ? "failed" : "building",
        createdAt: template.createdAt,
        ageHours: Number(ageHours(template.createdAt, now)),
      });
    }
  }
  return rows
    .filter((row) => image === undefined || row.image === image)
    .sort(
      (a, b) =>
        compareNatural(a.provider, b.provider) ||
        compareNatural(a.image, b.image) ||
        a.version - b.version ||
        compareNatural(a.id, b.id),
    );
}

export function renderImageTable(rows: readonly ImageRow[]): string {
  return renderTable(
    COLUMNS,
    rows.map((row) => [
      row.id,
      row.provider,
      row.image,
      row.hostname,
      String(row.version),
      row.cloudImageId ?? "",
      row.serverId ?? "",
      row.state,
      row.ageHours.toFixed(2),
    ]),
  );
}

export const imageListCommand: Command<ImageListArgs> = {
  command: "image-list",
  describe: "List the image builds in every provider: version, cloud ids, state and age",
  builder: (yargs) =>
    withJson(withConfigFile(yargs))
      .option("image", { type: "string", describe: "only builds of this image" })
      .option("provider", { type: "string", describe: "read only this provider" })
      .example([
        ["$0 image-list", "every build in every provider"],
        ["$0 image-list --image devstack-precise --provider hpcloud-az2", "one image in one provider"],
      ])
      .epilogue(
        "Clouds come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, " +
          "/etc/openstack/). Exit codes: 0 listed, 1 invalid images.yaml, 2 wrong usage, " +
          "4 a provider could not be read (the others are still listed).",
      ),
  run: (args, io) =>
    runLiveList(args, io, {
      jsonKey: "images",
      rows: (live) => imageRows(live, args.image),
      table: renderImageTable,
    }),
};
