// A dynamic provider for snapshots: no Pulumi resource snapshots a server, so this one calls
// Nova's createImage once setup has finished, waits for the Glance image within the build
// timeout, puts nodepool's properties on it, adopts an existing image of the same name
// instead of making a second, and deletes the image when the resource is deleted.
import type * as pulumi from "@pulumi/pulumi";
import {
  clientsFor,
  deleteSnapshot,
  ensureProperties,
  takeSnapshot,
  unwrap,
  type SnapshotInputs,
  type SnapshotOutputs,
} from "./snapshot-steps.js";

/** Inputs that only matter to a create; changing them later changes nothing in the cloud. */
const sameProperties = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

export const snapshotProvider: pulumi.dynamic.ResourceProvider<SnapshotInputs, SnapshotOutputs> = {
  async create(inputs) {
    const outs = await takeSnapshot(inputs);
    return { id: outs.imageId, outs };
  },

  async diff(_id, olds, news) {
    // A new name is a different build; new properties are patched in place. The server,
    // credentials and timeout only mattered while the snapshot was being taken.
    const replaces =
      olds.imageName !== news.imageName || olds.provider !== news.provider ? ["imageName"] : [];
    const changes = replaces.length > 0 || !sameProperties(olds.properties, news.properties);
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async update(id, olds, news) {
    const clients = clientsFor(news);
    const image = unwrap(await clients.glance.showImage(id), `look at image ${id}`);
    if (image === undefined) throw new Error(`${news.provider}: image ${news.imageName} (${id}) is gone`);
    await ensureProperties(clients, news, image);
    return { outs: { ...olds, ...news, imageId: id, status: image.status, adopted: olds.adopted } };
  },

  async delete(id, props) {
    await deleteSnapshot(props, id);
  },

  async read(id, props) {
    const image = props
      ? unwrap(await clientsFor(props).glance.showImage(id), `look at image ${id}`)
      : undefined;
    // No id back tells Pulumi the image is gone.
    return image === undefined || props === undefined
      ? {}
      : { id, props: { ...props, status: image.status } };
  },
};
