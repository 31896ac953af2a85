import { describe, expect, it } from "vitest";
import type { Client, ConnectPacket } from "aedes";
import { openAccess } from "./access";
import { IDENTIFIER_REJECTED, refusesClientId, withClientIdRule } from "./client-id";

describe("the client id rule [MQTT-3.1.3-8]", () => {
  it("refuses only an empty client id that asks to keep a session", () => {
    expect(refusesClientId("", false)).toBe(true);
    expect(refusesClientId("", true)).toBe(false);
    expect(refusesClientId("arm-01", false)).toBe(false);
  });

  it("answers from authenticate with return code 2, before the access rules are asked", () => {
    let asked = 0;
    const rule = withClientIdRule({ ...openAccess, authenticate: (_c, _u, _p, done) => (asked++, done(null, true)) });
    const client = {} as Client;
    rule.preConnect(client, { cmd: "connect", clientId: "", clean: false } as ConnectPacket, () => undefined);
    let code: number | undefined;
    rule.authenticate(client, undefined, undefined, (err) => (code = err?.returnCode));
    expect([code, asked]).toEqual([IDENTIFIER_REJECTED, 0]);

    const other = {} as Client;
    rule.preConnect(other, { cmd: "connect", clientId: "", clean: true } as ConnectPacket, () => undefined);
    rule.authenticate(other, undefined, undefined, (err, ok) => (code = err ? err.returnCode : ok ? 0 : -1));
    expect([code, asked]).toEqual([0, 1]);
  });
});
