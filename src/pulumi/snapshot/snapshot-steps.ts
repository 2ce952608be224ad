// The steps of taking a template server's snapshot, on the project's OpenStack client. They
// run inside Pulumi's dynamic-provider process, which gets them by serializing the provider's
// closure: so this file (and what it calls) may use only globals and the project's own
// functions, never a module object captured from an import (docs/pulumi.md, "Two traps").
import { formatOpenStackError, type OpenStackError } from "../../openstack/errors.js";
import { glanceClient, imageState, type GlanceImage } from "../../openstack/glance.js";
import { novaClient } from "../../openstack/nova.js";
import { Session } from "../../openstack/session.js";
import type { CloudConfig } from "../../openstack/clouds-config.js";
import type { Result } from "../../core/result.js";

export interface SnapshotInputs {
  /** Credentials of the provider (a Pulumi secret): delete and refresh need them later. */
  cloud: CloudConfig;
  region?: string;
  /** The nodepool provider, for messages and to recognise our own image when adopting. */
  provider: string;
  /** The template server to snapshot; "" when only adopting an existing image. */
  serverId: string;
  /** devstack-precise-1394417686 */
  imageName: string;
  /** nodepool's properties on the image (src/core/metadata.ts). */
  properties: Record<string, string>;
  buildTimeoutSeconds: number;
  /** How often to look at the server and the image; tests make it short. */
  pollSeconds?: number;
}

export interface SnapshotOutputs extends SnapshotInputs {
  imageId: string;
  status: string;
  /** True when an image of that name already existed and was taken over. */
  adopted: boolean;
}

export function unwrap<T>(result: Result<T, OpenStackError>, doing: string): T {
  if (result.ok) return result.value;
  throw new Error(`${doing}: ${formatOpenStackError(result.error)}`);
}

export function clientsFor(inputs: Pick<SnapshotInputs, "cloud" | "region" | "provider">) {
  const session = new Session(inputs.cloud, { provider: inputs.provider, region: inputs.region });
  return { nova: novaClient(session), glance: glanceClient(session) };
}

type Clients = ReturnType<typeof clientsFor>;

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** An image of this name that nodepool made for this provider and that is not broken. */
export async function findAdoptable(
  clients: Clients,
  inputs: SnapshotInputs,
): Promise<GlanceImage | undefined> {
  const found = unwrap(
    await clients.glance.findImagesByName(inputs.imageName),
    `look for image ${inputs.imageName}`,
  );
  return found.find(
    (image) =>
      image["nodepool_provider"] === inputs.provider &&
      // Never take over another stack's image; one made outside Pulumi has no stack.
      (image["nodepool_stack"] ?? inputs.properties["nodepool_stack"]) ===
        inputs.properties["nodepool_stack"] &&
      // Only one that is or may become usable: a deactivated image would never turn active,
      // and adopting it failed the build and left it in no one's hands.
      ["ready", "building"].includes(imageState(image.status)),
  );
}

/** Setup has finished when the server shut itself off, or set nodepool_setup=done. */
export async function waitForSetup(
  clients: Clients,
  inputs: SnapshotInputs,
  deadlineMs: number,
): Promise<void> {
  for (;;) {
    const server = unwrap(
      await clients.nova.showServer(inputs.serverId),
      `look at template server ${inputs.serverId}`,
    );
    if (server === undefined)
      throw new Error(`${inputs.provider}: template server ${inputs.serverId} is gone`);
    if (server.status === "SHUTOFF" || server.metadata["nodepool_setup"] === "done") return;
    if (server.status === "ERROR") {
      const fault = server.fault ? `: ${server.fault.message}` : "";
      throw new Error(`${inputs.provider}: template server ${server.name} went to ERROR${fault}`);
    }
    if (Date.now() > deadlineMs) {
      throw new Error(
        `${inputs.provider}: setup of ${server.name} did not finish within ${inputs.buildTimeoutSeconds} s ` +
          `(server is ${server.status}; the setup script should power off when done)`,
      );
    }
    await sleep(inputs.pollSeconds ?? 5);
  }
}

/** Wait until Glance has the snapshot's data. */
export async function waitForActive(
  clients: Clients,
  inputs: SnapshotInputs,
  imageId: string,
  deadlineMs: number,
): Promise<GlanceImage> {
  for (;;) {
    const image = unwrap(await clients.glance.showImage(imageId), `look at image ${imageId}`);
    if (image === undefined)
      throw new Error(`${inputs.provider}: image ${inputs.imageName} (${imageId}) disappeared`);
    if (image.status === "active") return image;
    if (imageState(image.status) !== "building") {
      throw new Error(`${inputs.provider}: snapshot ${inputs.imageName} (${imageId}) ended ${image.status}`);
    }
    if (Date.now() > deadlineMs) {
      throw new Error(
        `${inputs.provider}: snapshot ${inputs.imageName} (${imageId}) not active within ` +
          `${inputs.buildTimeoutSeconds} s (status ${image.status})`,
      );
    }
    await sleep(inputs.pollSeconds ?? 5);
  }
}

/** Put any of nodepool's properties the image lacks (or has different) on it. */
export async function ensureProperties(
  clients: Clients,
  inputs: SnapshotInputs,
  image: GlanceImage,
): Promise<void> {
  const missing = Object.fromEntries(
    Object.entries(inputs.properties).filter(([key, value]) => image[key] !== value),
  );
  if (Object.keys(missing).length === 0) return;
  unwrap(
    await clients.glance.updateImageProperties(image.id, missing),
    `set properties on ${inputs.imageName}`,
  );
}

/**
 * Take (or adopt) the snapshot and wait for it. A snapshot this call made is deleted again
 * when it fails, because Pulumi records nothing of a failed create and would never clean it up.
 */
export async function takeSnapshot(inputs: SnapshotInputs): Promise<SnapshotOutputs> {
  const clients = clientsFor(inputs);
  const deadlineMs = Date.now() + inputs.buildTimeoutSeconds * 1000;
  const existing = await findAdoptable(clients, inputs);
  let imageId = existing?.id;
  if (imageId === undefined) {
    if (!inputs.serverId) {
      throw new Error(
        `${inputs.provider}: no image named ${inputs.imageName} and no template server to snapshot`,
      );
    }
    await waitForSetup(clients, inputs, deadlineMs);
    imageId = unwrap(
      await clients.nova.createServerImage(inputs.serverId, inputs.imageName, inputs.properties),
      `snapshot template server ${inputs.serverId}`,
    );
  }
  try {
    const image = await waitForActive(clients, inputs, imageId, deadlineMs);
    await ensureProperties(clients, inputs, image);
    return { ...inputs, imageId, status: image.status, adopted: existing !== undefined };
  } catch (error) {
    if (existing === undefined) await clients.glance.deleteImage(imageId);
    throw error;
  }
}

export async function deleteSnapshot(inputs: SnapshotInputs, imageId: string): Promise<void> {
  unwrap(
    await clientsFor(inputs).glance.deleteImage(imageId),
    `delete image ${inputs.imageName} (${imageId})`,
  );
}
