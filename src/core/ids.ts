// The short IDs the CLI shows and takes back (`delete-image ID`, `node release ID`): 8 hex
// digits of a SHA-256 of what identifies the item for good. Same item, same ID on every run
// and machine; 32 bits make a clash unlikely among the few thousand items a pool holds, and a
// command given an ID that matches two items must refuse it. Every command takes its IDs from
// here, so a list and the command that takes its IDs back never disagree.
import { createHash } from "node:crypto";

function shortId(...parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 8);
}

/** A build: its provider, image and version. */
export const imageBuildId = (build: { provider: string; image: string; version: number }): string =>
  shortId("image", build.provider, build.image, build.version);

/** A node: its provider and server id (names are reused after deletes). */
export const nodeId = (node: { provider: string; serverId: string }): string =>
  shortId("node", node.provider, node.serverId);

/** A node request: its provider and port id. */
export const requestId = (request: { provider: string; id: string }): string =>
  shortId("request", request.provider, request.id);
