import { describe, expect, it } from "vitest";
import { namedConnack, reasonText } from "./reason";

describe("reason codes by name", () => {
  it("names MQTT 5 codes by the packet that carries them", () => {
    expect(reasonText("PUBACK", 0x10, 5)).toBe("0x10 No matching subscribers");
    expect(reasonText("PUBREC", 0x00, 5)).toBe("0x00 Success");
    expect(reasonText("PUBREL", 0x92, 5)).toBe("0x92 Packet Identifier not found");
    expect(reasonText("PUBCOMP", 0x00, 5)).toBe("0x00 Success");
    expect(reasonText("SUBACK", 0x00, 5)).toBe("0x00 Granted QoS 0");
    expect(reasonText("SUBACK", 0x87, 5)).toBe("0x87 Not authorized");
    expect(reasonText("CONNACK", 0x86, 5)).toBe("0x86 Bad User Name or Password");
    expect(reasonText("DISCONNECT", 0x8e, 5)).toBe("0x8e Session taken over");
  });

  it("names a CONNACK by the table its code comes from, whichever level was asked", () => {
    expect(namedConnack(0x01, 5).name).toBe("Connection Refused, unacceptable protocol version");
    expect(namedConnack(0x84, 5).name).toBe("Unsupported Protocol Version");
    expect(namedConnack(0x00, 5).name).toBe("Success");
    expect(namedConnack(0x00, 4).name).toBe("Connection Accepted");
  });

  it("names 3.1.1 return codes, and says when a packet may not carry a code", () => {
    expect(reasonText("CONNACK", 0x01, 4)).toBe("0x01 Connection Refused, unacceptable protocol version");
    expect(reasonText("SUBACK", 0x80, 4)).toBe("0x80 Failure");
    expect(reasonText("PUBREL", 0x10, 5)).toBe("0x10 not a PUBREL reason code in MQTT 5");
  });
});
