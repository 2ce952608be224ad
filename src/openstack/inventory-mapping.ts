// From what Glance, Nova and Neutron return to the Inventory model, through the metadata nodepool puts
// on what it creates (core/metadata.ts, docs/metadata.md). Pure: unit-tested without a cloud.
import { cloudToLocalSeconds, isoSeconds } from "../core/cloud-clock.js";
import { META } from "../core/metadata.js";
import { parseRequestDescription } from "../core/node-request.js";
import type {
  ImageBuild,
  NodeRequest,
  PoolNode,
  TemplateServer,
  TemplateServerState,
} from "../plan/inventory.js";
import { nodeState } from "../plan/node-rules.js";
import { imageProperties, imageState, type GlanceImage } from "./glance.js";
import type { NeutronPort } from "./neutron.js";
import { serverIp, type NovaServer } from "./nova.js";

export function templateState(novaStatus: string): TemplateServerState {
  switch (novaStatus) {
    case "ACTIVE":
      return "active";
    case "SHUTOFF":
    case "STOPPED":
      return "shutoff";
    case "ERROR":
    case "DELETED":
    case "SOFT_DELETED":
      return "failed";
    default:
      return "building";
  }
}

const seconds = (iso: string | undefined): number => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};

const positiveInt = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
};

const hostnameOf = (image: string, version: number, domain?: string) =>
  domain ? `${image}-${version}.${domain}` : `${image}-${version}`;

/** An image nodepool made for this provider; undefined when its metadata is not ours or broken. */
export function imageBuildFrom(
  provider: string,
  image: GlanceImage,
  templateDomain?: string,
): ImageBuild | undefined {
  const props = imageProperties(image);
  const name = props[META.image];
  const version = positiveInt(props[META.version]);
  if (props[META.kind] !== "image" || props[META.provider] !== provider || !name || version === undefined) {
    return undefined;
  }
  return {
    provider,
    image: name,
    version,
    state: imageState(image.status),
    createdAt: positiveInt(props[META.createdAt]) ?? seconds(image.created_at),
    cloudImageId: image.id,
    templateServerId: props[META.templateServer],
    hostname: props[META.hostname] ?? hostnameOf(name, version, templateDomain),
    definitionHash: props[META.definitionHash],
    ...(props[META.stack] ? { stack: props[META.stack] } : {}),
  };
}

export function templateServerFrom(
  provider: string,
  server: NovaServer,
  templateDomain?: string,
): TemplateServer | undefined {
  const meta = server.metadata ?? {};
  const image = meta[META.image];
  const version = positiveInt(meta[META.version]);
  if (meta[META.kind] !== "template" || meta[META.provider] !== provider || !image || version === undefined) {
    return undefined;
  }
  return {
    provider,
    image,
    version,
    serverId: server.id,
    hostname: meta[META.hostname] ?? hostnameOf(image, version, templateDomain),
    state: templateState(server.status),
    createdAt: seconds(server.created),
    ...(meta[META.definitionHash] ? { definitionHash: meta[META.definitionHash] } : {}),
    ...(meta[META.stack] ? { stack: meta[META.stack] } : {}),
    ...(meta[META.setupStatus] === "done" ? { setupDone: true } : {}),
    ...(faultOf(server) ? { fault: faultOf(server)! } : {}),
  };
}

/** Nova's reason for an ERROR server ("No valid host was found…"), one line. */
function faultOf(server: NovaServer): string | undefined {
  const message = server.fault?.message?.split("\n")[0]?.trim();
  return message ? message : undefined;
}

export function poolNodeFrom(provider: string, server: NovaServer): PoolNode | undefined {
  const meta = server.metadata ?? {};
  const label = meta[META.label];
  if (meta[META.kind] !== "node" || meta[META.provider] !== provider || !label) return undefined;
  const node: PoolNode = {
    provider,
    label,
    name: server.name,
    imageVersion: positiveInt(meta[META.version]) ?? 0,
    state: nodeState(server.status, meta[META.state]),
    createdAt: seconds(server.created),
    serverId: server.id,
    serverStatus: server.status,
  };
  const cloudImageId = typeof server.image === "object" ? server.image.id : undefined;
  const ip = serverIp(server);
  const stateChangedAt = positiveInt(meta[META.stateChangedAt]);
  if (cloudImageId) node.cloudImageId = cloudImageId;
  if (ip) node.ip = ip;
  if (meta[META.claimedBy]) node.claimedBy = meta[META.claimedBy];
  if (stateChangedAt) node.stateChangedAt = stateChangedAt;
  if (meta[META.holdReason]) node.holdReason = meta[META.holdReason];
  if (meta[META.stack]) node.stack = meta[META.stack];
  const fault = faultOf(server);
  if (fault) node.fault = fault;
  return node;
}

/**
 * A node request's port → NodeRequest, or undefined when the port is not a request. Neutron's
 * created_at and updated_at (the last heartbeat) are on the cloud's clock: read on ours.
 */
export function nodeRequestFrom(
  provider: string,
  port: NeutronPort,
  offsetMs: number | undefined,
): NodeRequest | undefined {
  const record = parseRequestDescription(port.description);
  const created = isoSeconds(port["created_at"] as string | undefined);
  const updated = isoSeconds(port["updated_at"] as string | undefined) ?? created;
  if (record === undefined || created === undefined || updated === undefined) return undefined;
  return {
    provider,
    id: port.id,
    label: record.label,
    requester: record.requester,
    createdAt: cloudToLocalSeconds(created, offsetMs),
    heartbeatAt: cloudToLocalSeconds(updated, offsetMs),
  };
}
