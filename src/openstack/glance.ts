// Glance v2 images: list (paginated, filtered by our properties, hidden ones on request),
// show, create + upload, property updates (JSON-patch) and delete.
import { ok, type Result } from "../core/result.js";
import type { ImageState } from "../plan/inventory.js";
import type { OpenStackError } from "./errors.js";
import { absentOn404, DEFAULT_PAGE_SIZE, query, requestJson } from "./responses.js";
import type { Session } from "./session.js";

/** Glance puts custom properties at the top level of the image, beside its own fields. */
export interface GlanceImage {
  id: string;
  name: string | null;
  status: string;
  created_at: string;
  updated_at?: string;
  size?: number | null;
  [property: string]: unknown;
}

export interface ImageListOptions {
  /** Exact-match filters on any field or custom property: { nodepool_kind: "image" }. */
  filters?: Record<string, string>;
  pageSize?: number;
}

export interface NewImage {
  name: string;
  diskFormat?: string;
  containerFormat?: string;
  visibility?: "private" | "shared" | "community" | "public";
  /** Custom properties; Glance keeps them as strings. */
  properties?: Record<string, string>;
}

const PATCH_TYPE = "application/openstack-images-v2.1-json-patch";

/** Custom string properties of an image (our metadata lives here). */
/**
 * What a Glance status means for a build, the one place that says so (the inventory and the
 * snapshot provider both ask here): only "active" is usable; queued/saving/uploading/importing
 * are still coming; "deactivated" is an admin's reversible hold, kept as such and never adopted;
 * anything else (killed, deleted, pending_delete) is never usable again.
 */
export function imageState(glanceStatus: string): ImageState {
  switch (glanceStatus) {
    case "active":
      return "ready";
    case "deactivated":
      return "deactivated";
    case "queued":
    case "saving":
    case "uploading":
    case "importing":
      return "building";
    default:
      return "failed";
  }
}

export function imageProperties(image: GlanceImage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(image)) if (typeof value === "string") out[key] = value;
  return out;
}

export function glanceClient(session: Session) {
  const api = (path: string) => `/v2/${path}`;

  /** Every matching image: one request per page, following Glance's `next`. */
  async function listImages(options: ImageListOptions = {}): Promise<Result<GlanceImage[], OpenStackError>> {
    const images: GlanceImage[] = [];
    let path: string | undefined =
      api("images") + query({ limit: options.pageSize ?? DEFAULT_PAGE_SIZE, ...options.filters });
    while (path) {
      const page: Result<{ images: GlanceImage[]; next?: string }, OpenStackError> = await requestJson(
        session,
        "image",
        { method: "GET", path },
      );
      if (!page.ok) return page;
      images.push(...page.value.images);
      // `next` is "/v2/images?marker=…" with our filters kept; it is relative to the root.
      path = page.value.next;
    }
    return ok(images);
  }

  /**
   * Every matching image, hidden ones too. Glance (API 2.7+) leaves images with os_hidden=true
   * out of a listing unless asked for them alone (os_hidden=true), and has no "both". The
   * hidden ones are listed before and after the others, so an image whose os_hidden is
   * flipped once while we read (an operator hiding or unhiding it) is in one of the lists.
   */
  async function listImagesWithHidden(
    options: ImageListOptions = {},
  ): Promise<Result<GlanceImage[], OpenStackError>> {
    const hidden = { ...options, filters: { ...options.filters, os_hidden: "true" } };
    const byId = new Map<string, GlanceImage>();
    for (const list of [hidden, options, hidden]) {
      const images = await listImages(list);
      if (!images.ok) return images;
      for (const image of images.value) if (!byId.has(image.id)) byId.set(image.id, image);
    }
    return ok([...byId.values()]);
  }

  return {
    listImages,
    listImagesWithHidden,

    async showImage(id: string): Promise<Result<GlanceImage | undefined, OpenStackError>> {
      return absentOn404(
        await requestJson<GlanceImage>(session, "image", { method: "GET", path: api(`images/${id}`) }),
      );
    },

    async findImagesByName(name: string): Promise<Result<GlanceImage[], OpenStackError>> {
      return listImages({ filters: { name } });
    },

    /** Creates the image record (status "queued"). Never retried on 5xx: it could make two. */
    async createImage(image: NewImage): Promise<Result<GlanceImage, OpenStackError>> {
      return requestJson<GlanceImage>(session, "image", {
        method: "POST",
        path: api("images"),
        json: {
          name: image.name,
          disk_format: image.diskFormat ?? "raw",
          container_format: image.containerFormat ?? "bare",
          visibility: image.visibility ?? "private",
          ...image.properties,
        },
      });
    },

    /** Uploads the data (the image becomes "active"). Not retried: a second PUT is refused with 409. */
    async uploadImageData(id: string, data: Uint8Array): Promise<Result<void, OpenStackError>> {
      const response = await session.request("image", {
        method: "PUT",
        path: api(`images/${id}/file`),
        headers: { "Content-Type": "application/octet-stream" },
        body: data,
        idempotent: false,
      });
      return response.ok ? ok(undefined) : response;
    },

    /** Sets (adds or replaces) and removes custom properties in one JSON-patch. */
    async updateImageProperties(
      id: string,
      set: Record<string, string>,
      remove: readonly string[] = [],
    ): Promise<Result<GlanceImage, OpenStackError>> {
      const operations = [
        ...Object.entries(set).map(([key, value]) => ({ op: "add", path: `/${key}`, value })),
        ...remove.map((key) => ({ op: "remove", path: `/${key}` })),
      ];
      return requestJson<GlanceImage>(session, "image", {
        method: "PATCH",
        path: api(`images/${id}`),
        headers: { "Content-Type": PATCH_TYPE },
        json: operations,
        // Setting a value twice gives the same image.
        idempotent: remove.length === 0,
      });
    },

    /** Deletes the image; true when it was there, false when it was already gone. */
    async deleteImage(id: string): Promise<Result<boolean, OpenStackError>> {
      const response = absentOn404(
        await session.request("image", { method: "DELETE", path: api(`images/${id}`) }),
      );
      return response.ok ? ok(response.value !== undefined) : response;
    },
  };
}

export type GlanceClient = ReturnType<typeof glanceClient>;
