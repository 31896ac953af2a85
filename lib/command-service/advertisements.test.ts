import { describe, expect, it } from "vitest";
import { Advertisements, MAX_ADVERTISEMENT_BYTES, isAdvertisement } from "./advertisements";

const topic = "fleet/lab/dev-1/commands";
const ad = (o: unknown) => Buffer.from(JSON.stringify(o));

describe("device advertisements", () => {
  it("a device's advertised command is kept under its id, and only its own topic counts as one", () => {
    const ads = new Advertisements();
    ads.take(topic, ad({ kind: "pump", commands: [{ name: "prime", description: "Prime it" }] }));
    expect(ads.of("dev-1")).toMatchObject({ kind: "pump", commands: [{ name: "prime", source: "advertised" }], problems: [] });
    expect(ads.of("dev-2")).toBeNull();
    expect(isAdvertisement(topic)).toBe(true);
    expect(isAdvertisement("fleet/lab/dev-1/cmd/prime/reply")).toBe(false);
  });

  it("a broken entry is reported beside the commands that parsed", () => {
    const ads = new Advertisements();
    ads.take(topic, ad({ commands: [{ name: "ok" }, { name: "no spaces allowed" }] }));
    expect(ads.of("dev-1")?.commands.map((c) => c.name)).toEqual(["ok"]);
    expect(ads.problems("dev-1")).toHaveLength(1);
  });

  it("an advertisement that is not JSON, or too large to read, leaves no commands and says why", () => {
    const ads = new Advertisements();
    ads.take(topic, Buffer.from("{nope"));
    expect(ads.of("dev-1")).toEqual({ kind: null, commands: [], problems: ["the advertisement is not JSON"] });
    ads.take(topic, Buffer.alloc(MAX_ADVERTISEMENT_BYTES + 1, 0x20));
    expect(ads.problems("dev-1")).toEqual([`the advertisement is ${MAX_ADVERTISEMENT_BYTES + 1} bytes; at most ${MAX_ADVERTISEMENT_BYTES} are read`]);
  });

  it("a cleared retained advertisement (empty payload) forgets the device's commands", () => {
    const ads = new Advertisements();
    ads.take(topic, ad({ commands: [{ name: "prime" }] }));
    ads.take(topic, Buffer.alloc(0));
    expect(ads.of("dev-1")).toBeNull();
    expect(ads.problems("dev-1")).toEqual([]);
  });
});
