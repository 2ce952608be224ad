// A valid images.yaml to start from in tests, and a parser with the scripts it names.
import { parseConfig } from "../../src/config/parse.js";

export const VALID_CONFIG = `providers:
  - name: hpcloud-az2
    max-servers: 8
    flavor: m1.nodepool
    template-domain: template.openstack.org
  - name: rax-iad
    max-servers: 6
    flavor: m1.nodepool
images:
  - name: devstack-precise
    base-image: ubuntu-precise
    setup: setup/prepare_devstack.sh
    providers: [hpcloud-az2, rax-iad]
labels:
  - name: devstack-precise
    image: devstack-precise
    min-ready:
      hpcloud-az2: 3
      rax-iad: 2
`;

export const SCRIPTS: Record<string, string> = { "setup/prepare_devstack.sh": "#!/bin/sh\npoweroff\n" };

export function parse(text: string, scripts: Record<string, string> = SCRIPTS) {
  return parseConfig(text, { file: "images.yaml", readScript: (path) => scripts[path] });
}
