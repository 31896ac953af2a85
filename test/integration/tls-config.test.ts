/**
 * `npm start` with a TLS file that is not there stops before anything starts, with one line naming
 * the variable (server.ts reads the configuration first, so no build is needed for this).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-tls-config-"));
const present = join(dir, "present.pem");
writeFileSync(present, "not checked before the listener starts");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(env: Record<string, string>) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--import", "./scripts/register-hooks.mjs", "server.ts"], {
    env: { PATH: process.env.PATH, NODE_ENV: "production", DATABASE_URL: `file:${join(dir, "x.db")}`, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe("TLS files in the configuration", () => {
  it.each([
    ["MQTT_TLS_CERT", { MQTT_TLS_CERT: join(dir, "missing-cert.pem"), MQTT_TLS_KEY: present }],
    ["MQTT_TLS_KEY", { MQTT_TLS_CERT: present, MQTT_TLS_KEY: join(dir, "missing-key.pem") }],
    ["MQTT_TLS_CA", { MQTT_TLS_CA: join(dir, "missing-ca.pem") }],
    ["HTTPS_CERT", { HTTPS_CERT: join(dir, "missing.pem"), HTTPS_KEY: present }],
  ])("a missing file in %s stops start-up with a line naming it", (variable, env) => {
    const r = start(env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^fleetscope: configuration error: ${variable}: must name a readable file`, "m"));
  });

  it("a certificate without its key names the key's variable", () => {
    const r = start({ HTTPS_CERT: present });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/configuration error: HTTPS_KEY: must be set too/);
  });

  it("MQTT_TLS_PORT takes a port or off, nothing else", () => {
    const r = start({ MQTT_TLS_PORT: "on" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/configuration error: MQTT_TLS_PORT: must be a port \(0\.\.65535\) or off/);
  });
});
