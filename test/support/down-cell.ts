// A Nova API to which cell1 is down (scripts/cloud/down-cell-api.sh), and a provider's clients
// whose Nova calls go there while Keystone, Glance and Neutron stay the local cloud's own: what
// nodepool sees of a cloud with a cell that does not answer.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ProviderClients } from "../../src/openstack/clients.js";
import { novaClient } from "../../src/openstack/nova.js";
import type { Session } from "../../src/openstack/session.js";

const run = promisify(execFile);
const SCRIPT = "scripts/cloud/down-cell-api.sh";

/** Starts it (on a copy of the API database made now); returns its compute URL. */
export async function startDownCellApi(name: string): Promise<string> {
  const { stdout } = await run("bash", [SCRIPT, "start", name], { timeout: 120_000 });
  return stdout.trim();
}

export async function stopDownCellApi(name: string): Promise<void> {
  await run("bash", [SCRIPT, "stop", name], { timeout: 60_000 });
}

/** The same clients (token, Glance, Neutron), with Nova at `computeUrl`. */
export function withNovaAt(clients: ProviderClients, computeUrl: string): ProviderClients {
  const session = redirected(clients.session, computeUrl);
  return {
    ...clients,
    nova: novaClient(session),
    withSignal: (signal) => withNovaAt(clients.withSignal(signal), computeUrl),
  };
}

function redirected(session: Session, computeUrl: string): Session {
  return new Proxy(session, {
    get(target, property) {
      if (property !== "request") return Reflect.get(target, property, target) as unknown;
      const request: Session["request"] = (service, call) =>
        target.request(
          service,
          service === "compute" ? { ...call, path: `${computeUrl}${call.path}` } : call,
        );
      return request;
    },
  });
}
