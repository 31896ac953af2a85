import { describe, expect, it } from "vitest";
import { clientAddress, normalizeAddress } from "./peer";

const proxies = new Set(["10.0.0.2", "10.0.0.3", "fd00::1"]);

describe("clientAddress", () => {
  it("is the TCP peer when no proxy is trusted, whatever the header says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", new Set())).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "198.51.100.1", proxies)).toBe("203.0.113.9");
  });

  it("is the address a trusted proxy forwarded", () => {
    expect(clientAddress("10.0.0.2", "198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("::ffff:10.0.0.2", "198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(clientAddress("fd00::1", "2001:db8::7", proxies)).toBe("2001:db8::7");
  });

  it("walks back through a chain of trusted proxies, and no further", () => {
    expect(clientAddress("10.0.0.2", "198.51.100.1, 10.0.0.3", proxies)).toBe("198.51.100.1");
    // The client wrote the leftmost entries itself: the first untrusted hop from the right is it.
    expect(clientAddress("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3", proxies)).toBe("198.51.100.1");
  });

  it("stops at the last proxy when the header holds no address there", () => {
    expect(clientAddress("10.0.0.2", "", proxies)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "198.51.100.1:5000", proxies)).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", "198.51.100.1, not-an-ip, 10.0.0.3", proxies)).toBe("10.0.0.3");
    expect(clientAddress("10.0.0.2", undefined, proxies)).toBe("10.0.0.2");
  });

  it("is the first proxy when every hop is a trusted proxy", () => {
    expect(clientAddress("10.0.0.2", "10.0.0.3", proxies)).toBe("10.0.0.3");
  });
});

describe("normalizeAddress", () => {
  it("spells IPv4-mapped IPv6 as IPv4, and IPv6 in lower case", () => {
    expect(normalizeAddress(" ::FFFF:192.0.2.1 ")).toBe("192.0.2.1");
    expect(normalizeAddress("FD00::1")).toBe("fd00::1");
  });
});
