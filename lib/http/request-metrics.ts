import "server-only";
/** HTTP request durations for GET /api/metrics, observed by the server around every request. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { fleetMetrics } from "../metrics/registry";
import { routeLabel } from "./api-routes";

/** Times `req` until its response is done or its connection gone (a stream ends then too). */
export function observeRequest(req: IncomingMessage, res: ServerResponse): void {
  const end = fleetMetrics().httpRequest.startTimer();
  res.once("close", () => end({ method: req.method ?? "GET", route: routeLabel(req.url ?? "/"), status: String(res.statusCode) }));
}
