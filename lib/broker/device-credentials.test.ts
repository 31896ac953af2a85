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
    expect(c.check("arm-01", Buffer.from("secret-one"))).toBe(true);
    expect(c.check("arm-01", Buffer.from("secret-two"))).toBe(false);
    expect(c.check("arm-02", Buffer.from("secret-one"))).toBe(false);
  });
});
