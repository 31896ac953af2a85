// Outside Next's bundler, `import "server-only"` resolves to a module that throws. The server
// entry, the bridge and the simulator are server code by definition, so there it resolves to
// an empty module instead. Next still enforces the guard inside the app.
import { register } from "node:module";

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,", shortCircuit: true };
  return next(specifier, context);
}`;
register("data:text/javascript," + encodeURIComponent(hooks));
