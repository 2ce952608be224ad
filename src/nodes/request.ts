// The claimer's side of a node request (core/node-request.ts): recorded when a waiting claim
// finds no ready node, rewritten every REQUEST_HEARTBEAT_SECONDS while it waits, deleted when
// it ends (a node, a timeout, a signal). A claimer that dies leaves it to expire: the plan
// stops counting it and the next round deletes it.
import { REQUEST_DEVICE_OWNER, REQUEST_HEARTBEAT_SECONDS, requestDescription } from "../core/node-request.js";
import { err, ok, type Result } from "../core/result.js";
import type { ProviderClients } from "../openstack/clients.js";
import { formatOpenStackError } from "../openstack/errors.js";

export interface OpenRequest {
  provider: string;
  id: string;
  /** Stops the heartbeat and deletes the record; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Records a request for `label` in the provider, on its first network (a port needs one; it
 * gets no address there). The heartbeat runs until close(); a failed heartbeat is retried at
 * the next beat (the request expires only after several are missed).
 */
export async function openRequest(
  clients: ProviderClients,
  network: string,
  label: string,
  requester: string,
  heartbeatMs = REQUEST_HEARTBEAT_SECONDS * 1000,
): Promise<Result<OpenRequest, string>> {
  const where = `${clients.provider}: recording a request for ${label}`;
  const found = await clients.neutron.findNetworkByName(network);
  if (!found.ok) return err(`${where}: ${formatOpenStackError(found.error)}`);
  if (found.value === undefined) return err(`${where}: no network ${network}`);
  let beat = 0;
  const created = await clients.neutron.createRecordPort({
    networkId: found.value.id,
    name: `nodepool-request-${label}`,
    description: requestDescription({ label, requester, beat }),
    deviceOwner: REQUEST_DEVICE_OWNER,
  });
  if (!created.ok) return err(`${where}: ${formatOpenStackError(created.error)}`);
  const id = created.value.id;
  let closed: Promise<void> | undefined;
  const timer = setInterval(() => {
    beat++;
    void clients.neutron.updatePortDescription(id, requestDescription({ label, requester, beat }));
  }, heartbeatMs);
  // A waiting claimer must not be kept alive by its heartbeat alone.
  timer.unref();
  return ok({
    provider: clients.provider,
    id,
    close() {
      clearInterval(timer);
      closed ??= clients.neutron.deletePort(id).then(() => undefined);
      return closed;
    },
  });
}
