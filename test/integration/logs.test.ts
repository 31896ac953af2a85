/**
 * The server's logs on stdout (`npm start`'s entry, logins on, LOG_LEVEL=debug, stdout a pipe):
 * every line but the start-up banner is a JSON object with `level`, `time` and `msg`, and a
 * refused login is logged once, with the username and address, never the password it tried.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/ports";
import { waitFor } from "../helpers/wait-for";

const ADMIN_PASSWORD = "correct-Horse-7-battery";
const WRONG_PASSWORD = "wrong-Staple-9-guess";
const dir = mkdtempSync(join(tmpdir(), "fleetscope-logs-"));
let proc: ChildProcess;
let base: string;
let stdout = "";
let stderr = "";

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  proc = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "server.ts"], {
    env: { ...process.env, PORT: String(port), MQTT_TCP_PORT: "0", DATABASE_URL: `file:${join(dir, "logs.db")}`, FLEETSCOPE_SIM_DEVICES: "1", FLEETSCOPE_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: "debug" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = once(proc, "exit").then(([code]) => {
    throw new Error(`the server exited with ${String(code)}:\n${stdout}\n${stderr}`);
  });
  await Promise.race([exited, waitFor("the banner", () => /^ {2}login /m.test(stdout), 120_000)]);
}, 130_000);

afterAll(async () => {
  if (proc?.exitCode === null) {
    const exited = once(proc, "exit");
    proc.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** stdout's lines, the banner (its first line and the indented ones under it) left out. */
function logLines(): string[] {
  const lines = stdout.split("\n").filter((l) => l !== "");
  const start = lines.findIndex((l) => l.startsWith("Fleetscope is running"));
  expect(start).toBeGreaterThanOrEqual(0);
  let end = start + 1;
  while (end < lines.length && lines[end]!.startsWith("  ")) end++;
  return [...lines.slice(0, start), ...lines.slice(end)];
}

it("writes JSON lines and logs a refused login without its password", async () => {
  const res = await fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "admin", password: WRONG_PASSWORD }) });
  expect(res.status).toBe(401);
  await waitFor("the refusal's log line", () => stdout.includes("login refused"));

  const entries = logLines().map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(entries.length).toBeGreaterThan(0);
  for (const e of entries) {
    expect(typeof e.level).toBe("number");
    expect(typeof e.time).toBe("number");
    expect(typeof e.msg).toBe("string");
  }
  const refusals = entries.filter((e) => e.msg === "login refused: wrong username or password");
  expect(refusals).toEqual([expect.objectContaining({ level: 40, module: "auth", username: "admin", address: expect.any(String) })]);
  for (const secret of [WRONG_PASSWORD, ADMIN_PASSWORD]) {
    expect(stdout).not.toContain(secret);
    expect(stderr).not.toContain(secret);
  }
});
