/** Every `route.ts` under app/api, as its URL pattern (route groups left out), found when the test runs. */
import { readdirSync } from "node:fs";
import { dirname, join, sep } from "node:path";

export function apiRoutePatterns(): string[] {
  return readdirSync(join(process.cwd(), "app", "api"), { recursive: true, encoding: "utf8" })
    .filter((file) => file === "route.ts" || file.endsWith(`${sep}route.ts`))
    .map((file) => ["/api", ...dirname(file).split(sep).filter((s) => s !== "." && !/^\(.*\)$/.test(s))].join("/"))
    .sort();
}
