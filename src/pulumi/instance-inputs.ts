// Inputs of the servers the program declares, and the guard that keeps them from changing.
import type * as openstack from "@pulumi/openstack";
import { META } from "../core/metadata.js";
import type { KeptNode, KeptTemplate, NewBuild, NewNode, Owned } from "../plan/types.js";

/**
 * Every input of openstack.compute.Instance. A server, once booted, must never be changed
 * by `pulumi up`: a new imageId REBUILDS it in place and a new userData replaces it, which
 * would destroy a job running on it. So every input is ignored after creation; a node that
 * should boot another image is a new resource with a new name (the planner never reuses
 * one). A test checks this list against the provider's InstanceArgs, so an upgrade of
 * @pulumi/openstack that adds an input cannot slip past it.
 */
export const FROZEN_INSTANCE_INPUTS: readonly (keyof openstack.compute.InstanceArgs)[] = [
  "accessIpV4",
  "accessIpV6",
  "adminPass",
  "availabilityZone",
  "availabilityZoneHints",
  "blockDevices",
  "configDrive",
  "flavorId",
  "flavorName",
  "floatingIp",
  "forceDelete",
  "imageId",
  "imageName",
  "keyPair",
  "metadata",
  "name",
  "networkMode",
  "networks",
  "personalities",
  "powerState",
  "region",
  "schedulerHints",
  "securityGroups",
  "stopBeforeDestroy",
  "tags",
  "userData",
  "vendorOptions",
  "volumes",
];

/** No networks configured: boot without a port rather than let Nova pick one. */
function networkInputs(
  networks: readonly string[],
): Pick<openstack.compute.InstanceArgs, "networks" | "networkMode"> {
  return networks.length > 0 ? { networks: networks.map((name) => ({ name })) } : { networkMode: "none" };
}

/**
 * The nodepool_stack an item is declared with: the plan's owner. A plan made for every stack
 * (no owner for new items) is for reading, never for a program to declare.
 */
export function declaredOwner(item: Owned & { provider: string }): string {
  if (item.owner === null) throw new Error(`${item.provider}: a plan made for no stack cannot be declared`);
  return item.owner;
}

export function newNodeInputs(node: NewNode): openstack.compute.InstanceArgs {
  return {
    name: node.name,
    imageId: node.cloudImageId,
    flavorName: node.flavor,
    ...networkInputs(node.networks),
    metadata: {
      [META.kind]: "node",
      [META.provider]: node.provider,
      [META.label]: node.label,
      [META.image]: node.image,
      [META.version]: String(node.imageVersion),
      [META.state]: "ready",
      [META.stack]: declaredOwner(node),
    },
  };
}

/**
 * An existing node, declared again so Pulumi keeps it. Its inputs are frozen, so what is
 * written here only has to be valid, not current: the cloud keeps what the node has.
 */
export function existingNodeInputs(node: KeptNode): openstack.compute.InstanceArgs {
  return { name: node.name, imageId: node.cloudImageId ?? "", flavorName: node.flavor, networkMode: "none" };
}

export function templateServerInputs(build: NewBuild, userData: string): openstack.compute.InstanceArgs {
  return {
    name: build.hostname,
    imageName: build.baseImage,
    flavorName: build.flavor,
    ...networkInputs(build.networks),
    userData,
    metadata: {
      [META.kind]: "template",
      [META.provider]: build.provider,
      [META.image]: build.image,
      [META.version]: String(build.version),
      [META.definitionHash]: build.definitionHash,
      [META.hostname]: build.hostname,
      [META.stack]: declaredOwner(build),
    },
  };
}

export function existingTemplateInputs(template: KeptTemplate): openstack.compute.InstanceArgs {
  return { name: template.hostname, imageName: "", flavorName: template.flavor, networkMode: "none" };
}
