import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { formatIssue } from "../../src/config/issues.js";
import { loadConfig } from "../../src/config/load.js";
import { definitionHash } from "../../src/config/definition.js";
import { parse, VALID_CONFIG } from "../support/config-fixtures.js";

function messages(text: string): string[] {
  const result = parse(text);
  assert.equal(result.ok, false, "expected the config to be invalid");
  return result.ok ? [] : result.error.map(formatIssue);
}

describe("the repo's example images.yaml", () => {
  it("is valid and mirrors the seed", () => {
    const loaded = loadConfig("images.yaml");
    assert.ok(loaded.ok, loaded.ok ? "" : loaded.error.map(formatIssue).join("\n"));
    const config = loaded.value;
    assert.deepEqual(
      config.providers.map((p) => p.name),
      ["hpcloud-az2", "rax-iad"],
    );
    const image = config.images[0]!;
    assert.equal(image.name, "devstack-precise");
    assert.equal(image.rebuildAgeSeconds, 24 * 3600);
    assert.deepEqual(image.providers, ["hpcloud-az2", "rax-iad"]);
    assert.deepEqual(config.labels[0]!.minReady, { "hpcloud-az2": 3, "rax-iad": 2 });
    assert.equal(config.providers[0]!.templateDomain, "template.openstack.org");
    assert.match(config.setupDigests["setup/prepare_devstack.sh"]!, /^[0-9a-f]{64}$/);
  });
});

describe("defaults come from the schema", () => {
  it("fills rebuild-age, build-timeout, keep, paused, cloud, networks and launch-timeout", () => {
    const result = parse(VALID_CONFIG);
    assert.ok(result.ok);
    const [image] = result.value.images;
    assert.deepEqual(
      [image!.rebuildAgeSeconds, image!.buildTimeoutSeconds, image!.keep, image!.paused],
      [86400, 3600, 2, false],
    );
    assert.equal(result.value.providers[0]!.cloud, "hpcloud-az2");
    assert.deepEqual(result.value.providers[0]!.networks, []);
    assert.equal(result.value.providers[0]!.launchTimeoutSeconds, 3600);
    assert.deepEqual(result.value.pins, {});
    assert.deepEqual(result.value.rejected, {});
  });

  it("parses durations written the way operators say them", () => {
    const result = parse(
      VALID_CONFIG.replace("    setup:", "    rebuild-age: 1d12h\n    build-timeout: 90m\n    setup:"),
    );
    assert.ok(result.ok);
    assert.equal(result.value.images[0]!.rebuildAgeSeconds, 36 * 3600);
    assert.equal(result.value.images[0]!.buildTimeoutSeconds, 5400);
  });

  it("parses a provider's launch-timeout", () => {
    const result = parse(
      VALID_CONFIG.replace("    max-servers: 6\n", "    max-servers: 6\n    launch-timeout: 15m\n"),
    );
    assert.ok(result.ok);
    assert.equal(result.value.providers[1]!.launchTimeoutSeconds, 900);
  });
});

describe("the definition hash", () => {
  it("changes with the base image, flavor and setup script content, not with pool sizes", () => {
    const result = parse(VALID_CONFIG);
    assert.ok(result.ok);
    const [image] = result.value.images;
    const [provider] = result.value.providers;
    const base = definitionHash(image!, provider!, "a");
    assert.equal(definitionHash(image!, provider!, "a"), base);
    assert.notEqual(definitionHash(image!, provider!, "b"), base);
    assert.notEqual(definitionHash({ ...image!, baseImage: "ubuntu-trusty" }, provider!, "a"), base);
    assert.notEqual(definitionHash(image!, { ...provider!, flavor: "m1.large" }, "a"), base);
  });
});

// Each broken file: what to change in the valid one, and the exact message(s) expected.
const BROKEN: { name: string; edit: (text: string) => string; expected: string[] }[] = [
  {
    name: "YAML syntax error",
    edit: (t) => t.replace("    max-servers: 8", "    max-servers: [8"),
    expected: [
      "images.yaml:4:5: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    name: "duplicate YAML key",
    edit: (t) => t.replace("    max-servers: 8\n", "    max-servers: 8\n    max-servers: 9\n"),
    expected: ["images.yaml:4:5: YAML syntax: Map keys must be unique"],
  },
  {
    name: "not a mapping at all",
    edit: () => "- just\n- a list\n",
    expected: ["images.yaml:1:1: images.yaml must be a mapping with providers, images and labels"],
  },
  {
    name: "misspelt key with a suggestion",
    edit: (t) => t.replace("    flavor: m1.nodepool\n    template", "    falvor: m1.nodepool\n    template"),
    expected: [
      'images.yaml:2:5: providers[0].flavor: missing required key "flavor" (a string)',
      'images.yaml:4:5: providers[0].falvor: unknown key "falvor" (did you mean "flavor"?)',
    ],
  },
  {
    name: "unknown top-level key",
    edit: (t) => `${t}lables: []\n`,
    expected: ['images.yaml:20:1: lables: unknown key "lables" (did you mean "labels"?)'],
  },
  {
    name: "max-servers is a string",
    edit: (t) => t.replace("max-servers: 8", "max-servers: eight"),
    expected: ['images.yaml:3:18: providers[0].max-servers: must be a number, not the string "eight"'],
  },
  {
    name: "max-servers is a fraction",
    edit: (t) => t.replace("max-servers: 8", "max-servers: 2.5"),
    expected: ["images.yaml:3:18: providers[0].max-servers: must be a whole number, not 2.5"],
  },
  {
    name: "negative min-ready",
    edit: (t) => t.replace("rax-iad: 2", "rax-iad: -1"),
    expected: ["images.yaml:19:16: labels[0].min-ready.rax-iad: must be at least 0, not -1"],
  },
  {
    name: "zero max-servers",
    edit: (t) => t.replace("max-servers: 6", "max-servers: 0"),
    expected: ["images.yaml:7:18: providers[1].max-servers: must be at least 1, not 0"],
  },
  {
    name: "keep below two",
    edit: (t) =>
      t.replace(
        "    providers: [hpcloud-az2, rax-iad]",
        "    keep: 1\n    providers: [hpcloud-az2, rax-iad]",
      ),
    expected: [
      "images.yaml:13:11: images[0].keep: must be at least 2, not 1: the current and the previous ready build are always kept",
    ],
  },
  {
    name: "a duration without a unit",
    edit: (t) => t.replace("    setup:", "    rebuild-age: 24\n    setup:"),
    expected: ["images.yaml:12:18: images[0].rebuild-age: must be a string, not 24"],
  },
  {
    name: "a provider's launch-timeout that is not a duration",
    edit: (t) => t.replace("    max-servers: 6\n", "    max-servers: 6\n    launch-timeout: soon\n"),
    expected: [
      'images.yaml:8:21: providers[1].launch-timeout: "soon" is not a duration (write it like "24h", "90m", "1h30m", "2d")',
    ],
  },
  {
    name: "a duration that is not one",
    edit: (t) => t.replace("    setup:", "    rebuild-age: daily\n    setup:"),
    expected: [
      'images.yaml:12:18: images[0].rebuild-age: "daily" is not a duration (write it like "24h", "90m", "1h30m", "2d")',
    ],
  },
  {
    name: "paused is not a boolean",
    edit: (t) => t.replace("    setup:", "    paused: yes\n    setup:"),
    expected: ['images.yaml:12:13: images[0].paused: must be true or false, not the string "yes"'],
  },
  {
    name: "image without providers",
    edit: (t) => t.replace("providers: [hpcloud-az2, rax-iad]", "providers: []"),
    expected: ["images.yaml:13:16: images[0].providers: must list at least 1 item"],
  },
  {
    name: "missing base-image",
    edit: (t) => t.replace("    base-image: ubuntu-precise\n", ""),
    expected: ['images.yaml:10:5: images[0].base-image: missing required key "base-image" (a string)'],
  },
  {
    name: "a name that cannot be a hostname",
    edit: (t) => t.replace("  - name: rax-iad", "  - name: rax iad"),
    expected: [
      "images.yaml:6:11: providers[1].name: must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
    ],
  },
  {
    name: "unknown image in a label",
    edit: (t) => t.replace("    image: devstack-precise", "    image: devstack-precsie"),
    expected: [
      'images.yaml:16:12: labels[0].image: unknown image "devstack-precsie" (did you mean "devstack-precise"?)',
    ],
  },
  {
    name: "unknown provider in an image",
    edit: (t) => t.replace("providers: [hpcloud-az2, rax-iad]", "providers: [hpcloud-az3, rax-iad]"),
    expected: [
      'images.yaml:13:17: images[0].providers[0]: unknown provider "hpcloud-az3" (did you mean "hpcloud-az2"?)',
      'images.yaml:18:7: labels[0].min-ready.hpcloud-az2: image "devstack-precise" is not built in provider "hpcloud-az2" (it is built in: hpcloud-az3, rax-iad)',
    ],
  },
  {
    name: "provider listed twice in an image",
    edit: (t) => t.replace("providers: [hpcloud-az2, rax-iad]", "providers: [rax-iad, rax-iad]"),
    expected: [
      'images.yaml:13:26: images[0].providers[1]: provider "rax-iad" is listed twice',
      'images.yaml:18:7: labels[0].min-ready.hpcloud-az2: image "devstack-precise" is not built in provider "hpcloud-az2" (it is built in: rax-iad, rax-iad)',
    ],
  },
  {
    name: "duplicate provider names",
    edit: (t) => t.replace("  - name: rax-iad", "  - name: hpcloud-az2"),
    expected: [
      'images.yaml:6:11: providers[1].name: duplicate provider name "hpcloud-az2" (first used at providers[0])',
      'images.yaml:13:30: images[0].providers[1]: unknown provider "rax-iad"',
      'images.yaml:19:7: labels[0].min-ready.rax-iad: unknown provider "rax-iad"',
    ],
  },
  {
    name: "duplicate label names",
    edit: (t) => `${t}  - name: devstack-precise\n    image: devstack-precise\n    min-ready: {}\n`,
    expected: [
      'images.yaml:20:11: labels[1].name: duplicate label name "devstack-precise" (first used at labels[0])',
    ],
  },
  {
    name: "min-ready above max-servers",
    edit: (t) => t.replace("hpcloud-az2: 3", "hpcloud-az2: 8"),
    expected: [
      "images.yaml:3:18: providers[0].max-servers: 8 servers cannot hold min-ready 8 (devstack-precise: 8) plus 1 template server: raise max-servers to 9 or lower min-ready",
    ],
  },
  {
    name: "min-ready in a provider the image is not built in",
    edit: (t) => t.replace("providers: [hpcloud-az2, rax-iad]", "providers: [hpcloud-az2]"),
    expected: [
      'images.yaml:19:7: labels[0].min-ready.rax-iad: image "devstack-precise" is not built in provider "rax-iad" (it is built in: hpcloud-az2)',
    ],
  },
  {
    name: "missing setup script",
    edit: (t) => t.replace("setup: setup/prepare_devstack.sh", "setup: setup/prepare_devstak.sh"),
    expected: [
      'images.yaml:12:12: images[0].setup: setup script "setup/prepare_devstak.sh" not found (paths are relative to the directory of images.yaml)',
    ],
  },
  {
    name: "a pin naming an unknown provider",
    edit: (t) => `${t}pins:\n  devstack-precise:\n    hpcloud-az3: 1394417686\n`,
    expected: [
      'images.yaml:22:5: pins.devstack-precise.hpcloud-az3: image "devstack-precise" is not built in provider "hpcloud-az3" (did you mean "hpcloud-az2"?)',
    ],
  },
  {
    name: "a pin naming an unknown image",
    edit: (t) => `${t}pins:\n  devstack-trusty:\n    hpcloud-az2: 1394417686\n`,
    expected: ['images.yaml:21:3: pins.devstack-trusty: unknown image "devstack-trusty"'],
  },
  {
    name: "a pin to a version that is not a number",
    edit: (t) => `${t}pins:\n  devstack-precise:\n    hpcloud-az2: latest\n`,
    expected: [
      'images.yaml:22:18: pins.devstack-precise.hpcloud-az2: must be a number, not the string "latest"',
    ],
  },
  {
    name: "a pinned version that is also rejected",
    edit: (t) =>
      `${t}pins:\n  devstack-precise:\n    hpcloud-az2: 1394417686\nrejected:\n  devstack-precise:\n    hpcloud-az2: [1394417686]\n`,
    expected: [
      "images.yaml:22:18: pins.devstack-precise.hpcloud-az2: pinned version 1394417686 is also rejected: remove it from one of pins and rejected",
    ],
  },
  {
    name: "rejected versions must be a list",
    edit: (t) => `${t}rejected:\n  devstack-precise:\n    hpcloud-az2: 1394417686\n`,
    expected: ["images.yaml:22:18: rejected.devstack-precise.hpcloud-az2: must be a list, not 1394417686"],
  },
  {
    name: "no providers at all",
    edit: (t) => t.replace(/^providers:[\s\S]*?^images:/m, "providers: []\nimages:"),
    expected: ["images.yaml:1:12: providers: must list at least 1 item"],
  },
];

describe("broken images.yaml files get every problem with file:line:col", () => {
  for (const { name, edit, expected } of BROKEN) {
    it(name, () => {
      assert.deepEqual(messages(edit(VALID_CONFIG)), expected);
    });
  }

  it("reports several problems at once, in file order", () => {
    const text = VALID_CONFIG.replace("image: devstack-precise", "image: nope").replace(
      "setup: setup/prepare_devstack.sh",
      "setup: missing.sh",
    );
    assert.deepEqual(
      messages(text).map((m) => m.split(": ")[0]),
      ["images.yaml:12:12", "images.yaml:16:12"],
    );
  });

  it("names an unreadable file without a position", () => {
    const result = loadConfig("does/not/exist.yaml");
    assert.ok(!result.ok);
    assert.deepEqual(result.error.map(formatIssue), [
      "does/not/exist.yaml: cannot read the file (does it exist?)",
    ]);
  });

  it("keeps the example file untouched when validating", () => {
    const before = readFileSync("images.yaml", "utf8");
    loadConfig("images.yaml");
    assert.equal(readFileSync("images.yaml", "utf8"), before);
  });
});
