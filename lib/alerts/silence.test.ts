import { describe, expect, it } from "vitest";
import { isSilenced, matches, silenceBodySchema, silencedBy, type Silence } from "./silence";

const labels = { alertname: "Hot motor", rule: "hot", device: "arm-01", severity: "major", group: "lab", team: "line-2" };
const silence = (matchers: Silence["matchers"], extra: Partial<Silence> = {}): Silence => ({ id: "s1", matchers, startsAt: 1000, endsAt: 5000, createdBy: "ops", comment: "maintenance", ...extra });

describe("matchers", () => {
  it("match equal, not equal, regex and not regex, with regexes anchored", () => {
    expect(matches({ name: "device", op: "=", value: "arm-01" }, "arm-01")).toBe(true);
    expect(matches({ name: "device", op: "!=", value: "arm-01" }, "arm-01")).toBe(false);
    expect(matches({ name: "device", op: "=~", value: "arm-0[1-3]" }, "arm-02")).toBe(true);
    expect(matches({ name: "device", op: "=~", value: "arm" }, "arm-02")).toBe(false); // anchored: not a substring search
    expect(matches({ name: "severity", op: "!~", value: "critical|major" }, "minor")).toBe(true);
  });
});

describe("isSilenced", () => {
  it("silences an alert every matcher of an active silence matches", () => {
    const s = silence([{ name: "device", op: "=", value: "arm-01" }, { name: "severity", op: "=~", value: "major|minor" }]);
    expect(isSilenced({ labels }, [s], 2000)).toBe(true);
    expect(isSilenced({ labels: { ...labels, severity: "critical" } }, [s], 2000)).toBe(false);
  });

  it("matches on the rule's own labels too", () => {
    expect(isSilenced({ labels }, [silence([{ name: "team", op: "=", value: "line-2" }])], 2000)).toBe(true);
  });

  it("silences only inside its window: from startsAt, until before endsAt", () => {
    const s = [silence([{ name: "device", op: "=", value: "arm-01" }])];
    expect([999, 1000, 4999, 5000].map((t) => isSilenced({ labels }, s, t))).toEqual([false, true, true, false]);
  });

  it("reads a label the alert lacks as empty, as Alertmanager does", () => {
    expect(isSilenced({ labels }, [silence([{ name: "device", op: "=", value: "arm-01" }, { name: "zone", op: "=", value: "" }])], 2000)).toBe(true);
    expect(isSilenced({ labels }, [silence([{ name: "zone", op: "!=", value: "" }])], 2000)).toBe(false);
  });

  it("names the silences that apply", () => {
    const a = silence([{ name: "device", op: "=", value: "arm-01" }], { id: "a" });
    const b = silence([{ name: "group", op: "=", value: "lab" }], { id: "b" });
    const c = silence([{ name: "group", op: "=", value: "plant" }], { id: "c" });
    expect(silencedBy({ labels }, [a, b, c], 2000)).toEqual(["a", "b"]);
  });
});

describe("silence body schema", () => {
  const body = { matchers: [{ name: "device", op: "=", value: "arm-01" }], endsAt: 5000, createdBy: "ops", comment: "swapping the motor" };
  const errors = (input: unknown) => {
    const r = silenceBodySchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("takes matchers, a window, who and why", () => {
    expect(errors(body)).toEqual([]);
    expect(errors({ ...body, startsAt: 1000 })).toEqual([]);
  });

  it("names what is wrong", () => {
    expect(errors({ ...body, comment: "" })).toEqual(["comment: must not be empty"]);
    expect(errors({ ...body, createdBy: undefined })).toEqual([expect.stringMatching(/^createdBy: /)]);
    expect(errors({ ...body, startsAt: 6000 })).toEqual(["endsAt: must be after startsAt"]);
    expect(errors({ ...body, matchers: [] })).toEqual(["matchers: must have at least one matcher"]);
    expect(errors({ ...body, matchers: [{ name: "device", op: "~=", value: "x" }] })).toEqual(["matchers.0.op: must be one of = != =~ !~"]);
    expect(errors({ ...body, matchers: [{ name: "device", op: "=~", value: "arm-(" }] })).toEqual([expect.stringMatching(/^matchers\.0\.value: is not a regular expression/)]);
  });

  it("refuses a silence that would silence every alert", () => {
    expect(errors({ ...body, matchers: [{ name: "device", op: "=~", value: ".*" }] })).toEqual([expect.stringMatching(/^matchers: must have at least one matcher that does not match the empty string/)]);
    expect(errors({ ...body, matchers: [{ name: "device", op: "!=", value: "arm-01" }] })).toEqual([expect.stringMatching(/^matchers: /)]);
  });
});
