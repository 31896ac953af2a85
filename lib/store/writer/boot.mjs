// Worker threads start without the loaders of the process that made them (under Vitest there
// is no tsx at all): register tsx and the `server-only` mapping here, then load the TypeScript.
import { register } from "tsx/esm/api";
import "../../../scripts/register-hooks.mjs";

register();
await import("./worker.ts");
