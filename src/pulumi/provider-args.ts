// The openstack.Provider's settings from the cloud nodepool itself resolved (clouds.yaml with
// secure.yaml, or OS_* variables), so both talk to the same cloud with the same credentials.
// Passing `cloud: name` instead would let the provider resolve it again, differently: it
// ignores OS_CLIENT_SECURE_FILE and secure.yaml beside OS_CLIENT_CONFIG_FILE.
import * as pulumi from "@pulumi/pulumi";
import type * as openstack from "@pulumi/openstack";
import type { CloudConfig } from "../openstack/clouds-config.js";
import { identityUrl } from "../openstack/keystone.js";

/**
 * `token`: a project-scoped token to use as it is. Given a token and no scope, the provider
 * (gophercloud) passes it through instead of issuing one; a token issued per round cost every
 * service a Keystone validation on its first call, about 1 s each on the local cloud.
 */
export function openstackProviderArgs(
  cloud: CloudConfig,
  region: string | undefined,
  token?: string,
): openstack.ProviderArgs {
  const auth = cloud.auth;
  const endpoint = {
    authUrl: identityUrl(auth.authUrl),
    region: region ?? cloud.regionName,
    endpointType: cloud.interface,
  };
  // It cannot log in again with no credentials, and gophercloud refuses a token with reauth.
  if (token !== undefined) return { ...endpoint, token: pulumi.secret(token), allowReauth: false };
  const common = {
    ...endpoint,
    userName: auth.username,
    userId: auth.userId,
    userDomainName: auth.userDomainName,
    userDomainId: auth.userDomainId,
  };
  if (auth.type === "application_credential") {
    return {
      ...common,
      applicationCredentialId: auth.id,
      applicationCredentialName: auth.name,
      applicationCredentialSecret: pulumi.secret(auth.secret),
    };
  }
  return {
    ...common,
    password: pulumi.secret(auth.password),
    tenantName: auth.projectName,
    tenantId: auth.projectId,
    projectDomainName: auth.projectDomainName,
    projectDomainId: auth.projectDomainId,
  };
}
