// Loaded with `node --import` in a test: prints every module URL the process resolves to
// stderr, prefixed "import:", so a test can check what a command pulls in.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write("import: " + result.url + "\\n");
  return result;
}`),
);
