import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DeviceCredentials, readDeviceCredentials } from "./device-credentials";

describe("device credentials", () => {
  it("come as id:password pairs, passwords free to hold colons", () => {
    expect(readDeviceCredentials("arm-01:secret-one, arm-02:pa:ss:word")).toEqual([
      ["arm-01", "secret-one"],
      ["arm-02", "pa:ss:word"],
    ]);
  });

  it("come from a file with @path, comments and blank lines skipped", () => {
    const file = join(mkdtempSync(join(tmpdir(), "fleetscope-creds-")), "devices.txt");
    writeFileSync(file, "# lab devices\narm-01:secret-one\n\n  arm-02:secret-two  \n");
    expect(readDeviceCredentials(`@${file}`)).toEqual([
      ["arm-01", "secret-one"],
      ["arm-02", "secret-two"],
    ]);
  });

  it("name the bad entry without its password", () => {
    expect(() => readDeviceCredentials("arm-01:secret-one,arm 2:whatever12")).toThrow(/entry 2: the device id/);
    expect(() => readDeviceCredentials("arm-01:short")).toThrow(/entry 1 \(arm-01\): the password must be at least 8/);
    expect(() => readDeviceCredentials("arm-01:short")).not.toThrow(/short/);
  });

  it("check a device's password, and refuse unknown devices", () => {
    const c = new DeviceCredentials().add("arm-01", "secret-one");
    expect(c.check("arm-01", Buffer.from("secret-one"))).toBe("demo");
    expect(c.check("arm-01", Buffer.from("secret-two"))).toBeNull();
    expect(c.check("arm-02", Buffer.from("secret-one"))).toBeNull();
  });

  it("name another convention before a device's native name, and refuse one it does not know", () => {
    expect(readDeviceCredentials("tasmota=tasmota_A1B2C3:secret-one, sparkplug=plant/edge-1:secret-two, z2m=zigbee2mqtt:secret-3xx")).toEqual([
      ["tasmota_A1B2C3", "secret-one", "tasmota"],
      ["plant/edge-1", "secret-two", "sparkplug"],
      ["zigbee2mqtt", "secret-3xx", "zigbee2mqtt"],
    ]);
    expect(() => readDeviceCredentials("arm-01:secret-one,lora=x:secret-two")).toThrow(/entry 2: "lora" is no convention/);
    expect(() => readDeviceCredentials("tasmota=a+b:secret-one")).toThrow(/entry 1: the tasmota name/);
    // Without a prefix a `/` is still refused: a demo id is one topic level.
    expect(() => readDeviceCredentials("a/b:secret-one")).toThrow(/entry 1: the device id/);
    const c = new DeviceCredentials().add("tasmota_A1B2C3", "secret-one", "tasmota");
    expect(c.check("tasmota_A1B2C3", Buffer.from("secret-one"))).toBe("tasmota");
  });
});

describe("device credentials by client certificate", () => {
  it("read `cert` in place of the password as a certificate login, convention prefixes included", () => {
    expect(readDeviceCredentials("arm-07:cert, tasmota=plug-1:cert, arm-01:secret-one")).toEqual([
      ["arm-07", "cert"],
      ["plug-1", "cert", "tasmota"],
      ["arm-01", "secret-one"],
    ]);
  });

  it("let a certificate's CN in, never the word `cert` as a password", () => {
    const c = new DeviceCredentials().add("arm-07", "cert").add("plug-1", "cert", "tasmota");
    expect(c.checkCertificate("arm-07")).toBe("demo");
    expect(c.checkCertificate("plug-1")).toBe("tasmota");
    expect(c.checkCertificate("arm-08")).toBeNull();
    expect(c.check("arm-07", Buffer.from("cert"))).toBeNull();
    expect(new DeviceCredentials().add("arm-01", "secret-one").checkCertificate("arm-01")).toBeNull();
  });
});
