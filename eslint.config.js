// Lint: typescript-eslint's recommended rules; the type checker (tsc --noEmit) does the rest.
// Below them, the layer rules of docs/architecture.md, so that CI fails on a file that breaks
// them: the pure core (config, plan) imports no adapter and reads no clock, and a command
// imports no other command.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** What the pure core may not import: adapters, I/O and other processes. */
const ADAPTERS = [
  { group: ["@pulumi/*"], message: "the pure core imports no Pulumi (docs/architecture.md)" },
  { group: ["simple-git", "yargs"], message: "the pure core imports no git or CLI library" },
  {
    group: [
      "**/openstack/*",
      "**/nodes/*",
      "**/git/*",
      "**/pulumi/*",
      "**/reconciler/*",
      "**/cli/*",
      "**/rollback/*",
    ],
    message: "the pure core imports no adapter: data flows read → plan → act (docs/architecture.md)",
  },
];
const PROCESSES = [
  "node:child_process",
  "child_process",
  "node:net",
  "node:http",
  "node:https",
  "node:dns",
].map((name) => ({ name, message: "the pure core does no I/O" }));
const FILES = ["node:fs", "node:fs/promises", "fs", "fs/promises"].map((name) => ({
  name,
  message: "the pure core reads no file: files come in through config/load.ts and config/repo-files.ts",
}));
/** The clock is a parameter of the core (`now`), never read inside it. */
const CLOCK = {
  "no-restricted-properties": [
    "error",
    { object: "Date", property: "now", message: "the pure core reads no clock: take `now` as a parameter" },
    { object: "performance", property: "now", message: "the pure core reads no clock" },
    { object: "process", property: "hrtime", message: "the pure core reads no clock" },
  ],
  "no-restricted-syntax": [
    "error",
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: "the pure core reads no clock: `new Date()` is now; take `now` as a parameter",
    },
  ],
};

export default tseslint.config(
  { ignores: ["node_modules/", ".tools/", ".cloud/", ".pulumi-state/", "engine/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        fetch: "readonly",
        Buffer: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/config/**/*.ts", "src/plan/**/*.ts"],
    ignores: ["src/config/load.ts", "src/config/repo-files.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [...PROCESSES, ...FILES], patterns: ADAPTERS }],
      ...CLOCK,
    },
  },
  {
    // The two readers of files images.yaml names (the repository boundary lives there).
    files: ["src/config/load.ts", "src/config/repo-files.ts"],
    rules: { "no-restricted-imports": ["error", { paths: PROCESSES, patterns: ADAPTERS }], ...CLOCK },
  },
  {
    files: ["src/cli/commands/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["./*"],
              message: "a command imports no other command: shared code lives in src/cli/ or the core",
            },
          ],
        },
      ],
    },
  },
);
