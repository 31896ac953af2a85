import { expect, test } from "@playwright/test";

test("health reports every part ok", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", broker: { status: "ok" }, store: { status: "ok", kind: "sqlite" }, bridge: { status: "ok" } });
});

test("wrong parameters get a 400 in the documented error shape", async ({ request }) => {
  for (const query of ["limit=0", "limit=abc", "topic=a/%23/b", "from=10&to=5", "cursor=bogus", "unknown=1"]) {
    const res = await request.get(`/api/messages?${query}`);
    expect(res.status(), query).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code, query).toBe("bad_request");
    expect(body.error.message.length, query).toBeGreaterThan(5);
  }
});

test("messages are filtered by MQTT topic filter and page with a cursor", async ({ request }) => {
  await expect(async () => {
    const body = (await (await request.get("/api/messages?topic=fleet/%2B/arm-03/telemetry&limit=2")).json()) as {
      messages: { topic: string; seq: number; encoding: string }[];
      next: string | null;
    };
    expect(body.messages).toHaveLength(2);
    expect(body.messages.every((m) => m.topic.endsWith("/arm-03/telemetry") && m.encoding === "utf8")).toBe(true);
    expect(body.next).not.toBeNull();
    const next = (await (await request.get(`/api/messages?topic=fleet/%2B/arm-03/telemetry&limit=2&cursor=${body.next}`)).json()) as { messages: { seq: number }[] };
    expect(next.messages[0]!.seq).toBeLessThan(body.messages[1]!.seq);
  }).toPass();
});

test("an unknown device is a 404 in the error shape", async ({ request }) => {
  const res = await request.get("/api/devices/no-such-device");
  expect(res.status()).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
});

test("a series comes back in at most `points` buckets, aggregated in the store", async ({ request }) => {
  await expect(async () => {
    const res = await request.get("/api/series?device=arm-04&field=temp&points=3");
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { device: string; field: string; bucketMs: number; points: { t: number; min: number; max: number; avg: number; last: number; count: number }[] };
    expect(body).toMatchObject({ device: "arm-04", field: "temp" });
    expect(body.points.length).toBeGreaterThan(0);
    expect(body.points.length).toBeLessThanOrEqual(3);
    for (const p of body.points) expect(p.min <= p.avg && p.avg <= p.max && p.count > 0).toBe(true);
  }).toPass();
  const unknown = await request.get("/api/series?device=no-such&field=temp");
  expect(unknown.status()).toBe(404);
  const bad = await request.get("/api/series?device=arm-04&field=temp&points=0");
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^points: /);
});

test("an unknown API path answers in the error shape", async ({ request }) => {
  const res = await request.get("/api/no-such-thing");
  expect(res.status()).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
});

test("a method an API route does not serve answers 405 in the error shape, with the methods it does serve", async ({ request }) => {
  for (const [method, path, allow] of [
    ["DELETE", "/api/series", "GET"],
    ["PUT", "/api/commands", "GET, POST"],
    ["GET", "/api/auth/login", "POST"],
    ["DELETE", "/api/users/nobody", "PATCH"],
  ] as const) {
    const res = await request.fetch(path, { method });
    expect(res.status(), `${method} ${path}`).toBe(405);
    expect(res.headers()["allow"]).toBe(allow);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("method_not_allowed");
    expect(body.error.message).toContain(path);
  }
});

test("delivery figures for a simulated device count what was received", async ({ request }) => {
  await expect(async () => {
    const res = await request.get("/api/delivery?device=arm-05");
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { received: number; lost: number; duplicates: number; byQos: Record<string, { received: number }> };
    expect(body.received).toBeGreaterThan(0);
    expect(body.byQos["0"]!.received).toBeGreaterThan(0);
    expect(body.lost).toBeGreaterThanOrEqual(0);
  }).toPass();
  expect((await request.get("/api/delivery?device=arm-05&from=10&to=5")).status()).toBe(400);
  expect((await request.get("/api/delivery")).status()).toBe(400);
});

test("metrics come in Prometheus text format with the bridge's, the broker's and the commands' counters", async ({ request }) => {
  const res = await request.get("/api/metrics");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  expect(text).toContain("# TYPE fleetscope_bridge_stored_messages_total counter");
  expect(text).toMatch(/^fleetscope_part_up\{part="broker"\} 1$/m);
  expect(text).toMatch(/^fleetscope_commands_finished_total\{state="succeeded"\} \d+$/m);
  expect(text).toMatch(/^fleetscope_broker_qos0_dropped_total \d+$/m);
  // Every sample line is `name{labels} value`; a name is [a-zA-Z_:][a-zA-Z0-9_:]* (Prometheus data model).
  for (const line of text.trim().split("\n").filter((l) => !l.startsWith("#"))) expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [0-9.eE+-]+$|NaN$/);
});
