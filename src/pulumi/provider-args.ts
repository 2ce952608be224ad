// The openstack.Provider's settings from the cloud nodepool itself resolved (clouds.yaml with
// secure.yaml, or OS_* variables), so both talk to the same cloud with the same credentials.
// Passing `cloud: name` instead would let the provider resolve it again, differently: it
// ignores OS_CLIENT_SECURE_FILE and secure.yaml beside OS_CLIENT_CONFIG_FILE.
import * as pulumi from "@pulumi/pulumi";
import type * as openstack from "@pulumi/openstack";
import type { CloudConfig } from "../openstack/clouds-config.js";
import { identityUrl } from "../openstack/keystone.js";

export function openstackProviderArgs(
  cloud: CloudConfig,
  region: string | undefined,
): openstack.ProviderArgs {
  const auth = cloud.auth;
  const common = {
    authUrl: identityUrl(auth.authUrl),
    region: region ?? cloud.regionName,
    endpointType: cloud.interface,
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
