// What an unreadable provider keeps: its subtree of this stack's exported state, refused when
// it holds a type nodepool does not declare, and without resources already waiting for delete.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  frozenProvider,
  frozenResources,
  urnName,
  type StateResource,
} from "../../src/pulumi/frozen-state.js";

const URN = "urn:pulumi:prod::nodepool::";
const provider = (name: string): StateResource => ({
  urn: `${URN}nodepool:index:Provider::${name}`,
  type: "nodepool:index:Provider",
});
const under = (parent: StateResource, type: string, name: string, extra: Partial<StateResource> = {}) => ({
  urn: `${URN}${parent.type}$${type}::${name}`,
  type,
  parent: parent.urn,
  ...extra,
});

const stackRoot: StateResource = {
  urn: `${URN}pulumi:pulumi:Stack::nodepool-prod`,
  type: "pulumi:pulumi:Stack",
};
const ovh = provider("ovh-gra1");
const ovhOpenstack = under(ovh, "pulumi:providers:openstack", "ovh-gra1", { custom: true, id: "p-1" });
const ovhPool = under(ovh, "nodepool:index:Pool", "ovh-gra1/devstack-precise");
const ovhNode = under(ovhPool, "openstack:compute/instance:Instance", "devstack-precise-ovh-gra1-3", {
  custom: true,
  id: "server-3",
  inputs: { name: "devstack-precise-ovh-gra1-3" },
});
const ovhImage = under(ovh, "nodepool:index:Image", "ovh-gra1/devstack-precise");
const ovhSnapshot = under(
  ovhImage,
  "pulumi-nodejs:dynamic/nodepool:Snapshot",
  "ovh-gra1.devstack-precise-1",
  {
    custom: true,
    id: "glance-1",
    inputs: { imageName: "devstack-precise-1394417686", properties: { "nodepool.version": "1394417686" } },
  },
);
const hp = provider("hpcloud-az2");
const hpNode = under(hp, "openstack:compute/instance:Instance", "devstack-precise-hpcloud-az2-1", {
  custom: true,
  id: "server-1",
});
const state = [stackRoot, hp, hpNode, ovh, ovhOpenstack, ovhPool, ovhNode, ovhImage, ovhSnapshot];

test("urnName takes the part after the type, even when it holds '::'", () => {
  assert.equal(urnName(ovhNode.urn), "devstack-precise-ovh-gra1-3");
  assert.equal(urnName(`${URN}t::a::b`), "a::b");
});

test("the provider's subtree, in state order, and nothing of another provider", () => {
  const tree = frozenProvider(state, "ovh-gra1");
  assert.ok(tree.ok && tree.value);
  assert.deepEqual(
    frozenResources(tree.value).map((r) => `${r.type} ${r.name} ${r.id ?? "-"}`),
    [
      "nodepool:index:Provider ovh-gra1 -",
      "pulumi:providers:openstack ovh-gra1 p-1",
      "nodepool:index:Pool ovh-gra1/devstack-precise -",
      "openstack:compute/instance:Instance devstack-precise-ovh-gra1-3 server-3",
      "nodepool:index:Image ovh-gra1/devstack-precise -",
      "pulumi-nodejs:dynamic/nodepool:Snapshot ovh-gra1.devstack-precise-1 glance-1",
    ],
  );
  const snapshot = frozenResources(tree.value).find((r) => r.id === "glance-1")!;
  assert.deepEqual(snapshot.inputs, ovhSnapshot.inputs);
});

test("a provider the state holds nothing of keeps nothing", () => {
  assert.deepEqual(frozenProvider(state, "rax-iad"), { ok: true, value: undefined });
});

test("a resource already waiting for its delete is not declared again", () => {
  const doomed = { ...ovhNode, urn: ovhNode.urn, id: "server-old", delete: true };
  const tree = frozenProvider([...state, doomed], "ovh-gra1");
  assert.ok(tree.ok && tree.value);
  assert.deepEqual(
    frozenResources(tree.value)
      .filter((r) => r.type === "openstack:compute/instance:Instance")
      .map((r) => r.id),
    ["server-3"],
  );
});

test("a type nodepool does not declare refuses the provider, naming it", () => {
  const stranger = under(ovhPool, "openstack:networking/port:Port", "a-port", { custom: true, id: "port-1" });
  const tree = frozenProvider([...state, stranger], "ovh-gra1");
  assert.equal(tree.ok, false);
  assert.match(!tree.ok ? tree.error : "", /does not declare.*openstack:networking\/port:Port a-port/);
});
