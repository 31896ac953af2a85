import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./env";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-tls-env-"));
const pem = join(dir, "x.pem");
writeFileSync(pem, "-----BEGIN CERTIFICATE-----\n");

describe("the TLS configuration", () => {
  it("has the broker's TLS listener on at 8883 by default, its self-signed certificate kept beside the store", () => {
    expect(parseConfig({}).mqttTls).toEqual({ port: 8883, certFile: undefined, keyFile: undefined, caFile: undefined, dir: "./data/tls" });
    expect(parseConfig({ DATABASE_URL: "file:/srv/fleet/f.db" }).mqttTls?.dir).toBe("/srv/fleet/tls");
    expect(parseConfig({}).https).toBeNull();
  });

  it("takes MQTT_TLS_PORT=off, and files for the certificate, key, CA and HTTPS", () => {
    expect(parseConfig({ MQTT_TLS_PORT: "off" }).mqttTls).toBeNull();
    expect(parseConfig({ MQTT_TLS_PORT: "18883", MQTT_TLS_CERT: pem, MQTT_TLS_KEY: pem, MQTT_TLS_CA: pem }).mqttTls).toMatchObject({ port: 18883, certFile: pem, keyFile: pem, caFile: pem });
    expect(parseConfig({ HTTPS_CERT: pem, HTTPS_KEY: pem }).https).toEqual({ certFile: pem, keyFile: pem });
  });

  it("names the variable of a missing file, or of the half of a pair that is missing", () => {
    expect(() => parseConfig({ MQTT_TLS_CA: join(dir, "nope.pem") })).toThrow(/^MQTT_TLS_CA: must name a readable file/);
    expect(() => parseConfig({ MQTT_TLS_KEY: pem })).toThrow(/^MQTT_TLS_CERT: must be set too when MQTT_TLS_KEY is/);
    expect(() => parseConfig({ HTTPS_CERT: dir, HTTPS_KEY: pem })).toThrow(/^HTTPS_CERT: must name a readable file/);
  });
});
