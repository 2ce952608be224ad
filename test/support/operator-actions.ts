// What an operator, an admin or a job does to a server or an image behind nodepool's back,
// through the local cloud's real REST APIs: stop a server, reset it to ERROR, hide an image,
// deactivate one. nodepool's client has no calls for these (it never does them).
import type { ProviderClients } from "../../src/openstack/clients.js";
import { must } from "./openstack-cloud.js";

const NOVA_HEADERS = { "OpenStack-API-Version": "compute 2.79" };

async function serverAction(clients: ProviderClients, id: string, action: object): Promise<void> {
  must(
    await clients.session.request("compute", {
      method: "POST",
      path: `/servers/${id}/action`,
      headers: NOVA_HEADERS,
      json: action,
    }),
  );
}

/** Waits until Nova reports `status` for the server (a stop or reset takes a moment). */
export async function waitForStatus(
  clients: ProviderClients,
  id: string,
  status: string,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const server = must(await clients.nova.showServer(id));
    if (server?.status === status) return;
    if (Date.now() > until) throw new Error(`server ${id} is ${server?.status ?? "gone"}, not ${status}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** As the owner (a job powering its node off): the server goes SHUTOFF. */
export async function stopServer(clients: ProviderClients, id: string): Promise<void> {
  await serverAction(clients, id, { "os-stop": null });
  await waitForStatus(clients, id, "SHUTOFF");
}

/** As an admin (`admin` clients): Nova marks the server ERROR, as a broken host would. */
export async function resetServerToError(admin: ProviderClients, id: string): Promise<void> {
  await serverAction(admin, id, { "os-resetState": { state: "error" } });
  await waitForStatus(admin, id, "ERROR");
}

/** Sets Glance's os_hidden (API 2.7+): a hidden image leaves default listings. */
export async function setImageHidden(clients: ProviderClients, id: string, hidden: boolean): Promise<void> {
  must(
    await clients.session.request("image", {
      method: "PATCH",
      path: `/v2/images/${id}`,
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
      json: [{ op: "replace", path: "/os_hidden", value: hidden }],
    }),
  );
}

/** Deactivates (or reactivates) an active image: its data can't be read until reactivated. */
export async function setImageDeactivated(
  clients: ProviderClients,
  id: string,
  deactivated: boolean,
): Promise<void> {
  must(
    await clients.session.request("image", {
      method: "POST",
      path: `/v2/images/${id}/actions/${deactivated ? "deactivate" : "reactivate"}`,
    }),
  );
}
