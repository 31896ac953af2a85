import { describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../devices/model";
import { MAX_STORED_PAYLOAD_BYTES } from "../store/types";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import { decodeMessage, mergeDeviceUpdates, messageIdent, spoolIdent } from "./decode";

const now = asEpochMs(1_700_000_000_000);
const conventions = new Interpreter(BUILT_IN_CONVENTIONS);
const msg = (topic: string, payload: string | Buffer, extra: Partial<{ qos: 0 | 1 | 2; retain: boolean }> = {}) => ({
  topic,
  payload: typeof payload === "string" ? Buffer.from(payload) : payload,
  qos: extra.qos ?? 0,
  retain: extra.retain ?? false,
  dup: false,
});

describe("decodeMessage", () => {
  it("turns demo telemetry into a row with seq and a device update with its numeric fields", () => {
    const { row, devices: [device = null] } = decodeMessage(msg("fleet/lab/arm-99/telemetry", '{"seq":7,"temp":41.5,"joints":[1,2],"mode":"auto"}'), now, conventions);
    expect(row).toMatchObject({ topic: "fleet/lab/arm-99/telemetry", device: "arm-99", seq: 7, truncated: false });
    expect(device).toEqual({
      id: "arm-99",
      site: "lab",
      name: "arm-99",
      convention: "demo",
      lastSeen: now,
      values: { temp: { value: 41.5, ts: now }, "joints.0": { value: 1, ts: now }, "joints.1": { value: 2, ts: now } },
    });
  });

  it("reads status, and a retained status does not count as a sign of life", () => {
    expect(decodeMessage(msg("fleet/lab/a1/status", "online"), now, conventions).devices[0] ?? null).toMatchObject({ status: "online", lastSeen: now });
    expect(decodeMessage(msg("fleet/lab/a1/status", "offline", { retain: true }), now, conventions).devices[0] ?? null).toMatchObject({ status: "offline", lastSeen: 0 });
  });

  it("carries the numeric fields of telemetry on the row, to be stored as samples", () => {
    const { row } = decodeMessage(msg("fleet/lab/arm-99/telemetry", '{"seq":7,"temp":41.5,"joints":[1]}'), now, conventions);
    expect(row.fields).toEqual({ temp: 41.5, "joints.0": 1 });
  });

  it("gives a redelivery the same identity, and a rebooted device's new seq 1 another", () => {
    const a = decodeMessage(msg("fleet/lab/a/telemetry", '{"seq":1,"temp":1}'), now, conventions).row.ident;
    expect(a).not.toBeNull();
    expect(decodeMessage(msg("fleet/lab/a/telemetry", '{"seq":1,"temp":1}'), now, conventions).row.ident).toBe(a);
    expect(decodeMessage(msg("fleet/lab/a/telemetry", '{"seq":1,"temp":2}'), now, conventions).row.ident).not.toBe(a);
    expect(decodeMessage(msg("fleet/lab/b/telemetry", '{"seq":1,"temp":1}'), now, conventions).row.ident).not.toBe(a);
    expect(decodeMessage(msg("x", "no seq"), now, conventions).row.ident).toBeNull();
  });

  it("keeps the identities it gave before: a redelivery across an upgrade is still recognised", () => {
    expect(messageIdent("fleet/lab/a/telemetry", 1, Buffer.from('{"seq":1,"temp":1}'))).toBe(2799738976833528319n);
    expect(messageIdent("fleet/é/ü/telemetry", 42, Buffer.from([0, 255, 7]))).toBe(4768634430021111608n);
    expect(spoolIdent("4b1d0c9e-1111-4222-8333-944455556666", 17)).toBe(-8107785851398382650n);
  });

  it("invents no device from a topic whose kind level is not the convention's", () => {
    expect(decodeMessage(msg("fleet/lab/<b>x</b>/telemetry", "{}"), now, conventions).devices[0] ?? null).toBeNull();
    expect(decodeMessage(msg("fleet/lab/x/extra/telemetry", "{}"), now, conventions).devices[0] ?? null).toBeNull();
  });

  it("stores messages outside the demo convention without a device", () => {
    const { row, devices: [device = null] } = decodeMessage(msg("home/kitchen/temp", "21.5"), now, conventions);
    expect(row.device).toBeNull();
    expect(device).toBeNull();
  });

  it("says why a telemetry message gave no samples", () => {
    expect(decodeMessage(msg("fleet/lab/a1/telemetry", "41.5"), now, conventions).skipped).toBe("not_json_object");
    expect(decodeMessage(msg("fleet/lab/a1/telemetry", '{"mode":"auto"}'), now, conventions).skipped).toBe("no_numbers");
    expect(decodeMessage(msg("fleet/lab/a1/telemetry", Buffer.alloc(100_000, 0x20)), now, conventions).skipped).toBe("too_large");
    expect(decodeMessage(msg("fleet/lab/a1/telemetry", '{"temp":1}'), now, conventions).skipped).toBeUndefined();
    expect(decodeMessage(msg("fleet/lab/a1/log", "plain text"), now, conventions).skipped).toBeUndefined();
  });

  it("survives malformed JSON and binary payloads", () => {
    const bad = decodeMessage(msg("fleet/lab/a1/telemetry", '{"seq":1,"temp":'), now, conventions);
    expect(bad.row.seq).toBeNull();
    expect(bad.devices[0]?.values).toBeUndefined();
    const binary = decodeMessage(msg("fleet/lab/a1/telemetry", Buffer.from([0xff, 0x00, 0xfe])), now, conventions);
    expect([...binary.row.payload]).toEqual([0xff, 0x00, 0xfe]);
  });

  it("keeps the head of a huge payload and marks it truncated", () => {
    const { row } = decodeMessage(msg("x/y", Buffer.alloc(MAX_STORED_PAYLOAD_BYTES + 10, 0x41)), now, conventions);
    expect(row.truncated).toBe(true);
    expect(row.payload.byteLength).toBe(MAX_STORED_PAYLOAD_BYTES);
  });
});

describe("mergeDeviceUpdates", () => {
  it("folds a batch into one update per device, later values winning", () => {
    const id = asDeviceId("a1");
    const merged = mergeDeviceUpdates([
      { id, site: "s", lastSeen: asEpochMs(1), values: { temp: { value: 1, ts: asEpochMs(1) }, current: { value: 5, ts: asEpochMs(1) } } },
      { id, site: "s", lastSeen: asEpochMs(2), status: "online" },
      { id, site: "s", lastSeen: asEpochMs(3), values: { temp: { value: 3, ts: asEpochMs(3) } } },
      { id: asDeviceId("b2"), site: "t", lastSeen: asEpochMs(2) },
    ]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toEqual({
      id,
      site: "s",
      lastSeen: 3,
      status: "online",
      values: { temp: { value: 3, ts: 3 }, current: { value: 5, ts: 1 } },
    });
  });
});
