/**
 * GET /api/metrics on the real server (`npm start`'s entry, embedded broker, bridge, SQLite, two
 * simulated arms): prom-client's process metrics are there, and after a command has gone to an arm
 * and back the histograms hold observations of the bridge's commits, the command's round trip and
 * the HTTP requests, these by route pattern and never by the id in the path.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "../../bench/server-process";
import { armId } from "../../lib/sim/fleet";

let server: ServerProcess;
let base: string;
beforeAll(async () => {
  // No simulated failures or lost replies: the command must succeed.
  server = await startServerProcess({ FLEETSCOPE_SIM_DEVICES: "2", FLEETSCOPE_SIM_FAILURES: "0", FLEETSCOPE_SIM_LOST_REPLIES: "0" });
  await server.ready;
  base = `http://localhost:${server.port}`;
}, 120_000);
afterAll(async () => server?.stop());

/** Asks until `check` gives a value: the state is another process's (the server's and its arms'). */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The value of the sample line `name{labels}` (labels as written, in order), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it("exposes process metrics and histograms with observations after work was done", async () => {
  const device = armId(0);
  await until("the arm to be online", async () => {
    const res = await fetch(`${base}/api/devices/${device}`);
    return res.ok && ((await res.json()) as { status: string }).status === "online" ? true : undefined;
  });
  const posted = await fetch(`${base}/api/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ device, name: "stop", args: {} }) });
  expect(posted.status).toBe(202);
  const { id } = (await posted.json()) as { id: string };
  const state = await until("the command's final state", async () => {
    const c = (await (await fetch(`${base}/api/commands/${id}`)).json()) as { state: string };
    return ["succeeded", "failed", "timed_out", "rejected"].includes(c.state) ? c.state : undefined;
  });
  expect(state).toBe("succeeded");

  const res = await fetch(`${base}/api/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();

  // prom-client's default process metrics.
  for (const family of ["process_cpu_seconds_total counter", "process_resident_memory_bytes gauge", "nodejs_eventloop_lag_seconds gauge", "nodejs_gc_duration_seconds histogram", "nodejs_heap_size_used_bytes gauge"])
    expect(text).toContain(`# TYPE ${family}\n`);
  expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
  expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

  // The bridge has committed the arms' telemetry, in batches.
  expect(text).toContain("# TYPE fleetscope_bridge_batch_commit_seconds histogram\n");
  expect(sample(text, "fleetscope_bridge_batch_commit_seconds_count")).toBeGreaterThan(0);
  expect(sample(text, 'fleetscope_bridge_batch_commit_seconds_bucket{le="+Inf"}')).toBe(sample(text, "fleetscope_bridge_batch_commit_seconds_count"));

  // One command went out and came back.
  expect(text).toContain("# TYPE fleetscope_command_round_trip_seconds histogram\n");
  expect(sample(text, 'fleetscope_command_round_trip_seconds_count{state="succeeded"}')).toBe(1);
  // In seconds: the whole wait above took under 30 of them.
  expect(sample(text, 'fleetscope_command_round_trip_seconds_sum{state="succeeded"}')).toBeGreaterThanOrEqual(0);
  expect(sample(text, 'fleetscope_command_round_trip_seconds_sum{state="succeeded"}')).toBeLessThan(30);

  // The requests above, by route pattern.
  expect(text).toContain("# TYPE fleetscope_http_request_duration_seconds histogram\n");
  expect(sample(text, 'fleetscope_http_request_duration_seconds_count{method="POST",route="/api/commands",status="202"}')).toBe(1);
  expect(sample(text, 'fleetscope_http_request_duration_seconds_count{method="GET",route="/api/commands/[id]",status="200"}')).toBeGreaterThan(0);
  expect(sample(text, 'fleetscope_http_request_duration_seconds_count{method="GET",route="/api/devices/[id]",status="200"}')).toBeGreaterThan(0);
  expect(text).not.toContain(id);
  expect(text).not.toContain(device);

  // The counters scrapers already read keep their names, labels and types.
  expect(text).toContain("# TYPE fleetscope_bridge_stored_messages_total counter\n");
  expect(sample(text, 'fleetscope_commands_finished_total{state="succeeded"}')).toBe(1);
  expect(sample(text, 'fleetscope_part_up{part="bridge"}')).toBe(1);
});
