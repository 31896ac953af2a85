import { describe, expect, it } from "vitest";
import { apiRoutePatterns } from "../../test/helpers/api-route-files";
import { API_ROUTES, routeLabel } from "./api-routes";

describe("API routes", () => {
  it("lists exactly the route files under app/api", () => {
    expect([...API_ROUTES].sort()).toEqual(apiRoutePatterns());
  });

  it("labels a request by its route pattern, never by its ids or query", () => {
    expect(routeLabel("/api/devices/arm-01?x=1")).toBe("/api/devices/[id]");
    expect(routeLabel("/api/devices/arm-01/status")).toBe("/api/devices/[id]/status");
    expect(routeLabel("/api/conventions/state")).toBe("/api/conventions/state");
    expect(routeLabel("/api/conventions/rules/mine")).toBe("/api/conventions/rules/[name]");
    expect(routeLabel("/api/devices")).toBe("/api/devices");
    expect(routeLabel("/api/no/such/thing")).toBe("/api/[...path]");
    expect(routeLabel("/devices/arm-01")).toBe("page");
    expect(routeLabel("/_next/static/chunks/a.js")).toBe("static");
  });
});
