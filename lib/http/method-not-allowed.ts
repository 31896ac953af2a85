/**
 * Answers for the methods a route does not serve. Next answers those itself with a bare 405 (no
 * body, no `Allow`), where the API promises its error shape for every error: a route exports
 * these for the methods it lacks, `export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST")`.
 */
import { apiError } from "./errors";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export function otherMethods(...allowed: Method[]): Record<Method, (req: Request) => Response> {
  const allow = allowed.join(", ");
  const refuse = (req: Request) => {
    const res = apiError(405, "method_not_allowed", `${req.method} is not served at ${new URL(req.url).pathname}; it serves ${allow}`);
    res.headers.set("allow", allow);
    return res;
  };
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse };
}
