import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger";

/** A destination that keeps each line pino writes, parsed. */
function lines() {
  const out: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n")) if (l) out.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { out, stream };
}

describe("the logger", () => {
  it("writes JSON lines with level, time, msg and the child's module", () => {
    const { out, stream } = lines();
    createLogger("info", stream).child({ module: "bridge" }).warn({ batch: 3 }, "store commit failed");
    expect(out).toEqual([expect.objectContaining({ level: 40, msg: "store commit failed", module: "bridge", batch: 3, time: expect.any(Number) })]);
  });

  it("drops what is below LOG_LEVEL", () => {
    const { out, stream } = lines();
    const log = createLogger("warn", stream);
    log.info("not this");
    log.debug("nor this");
    log.error("this");
    expect(out.map((l) => l.msg)).toEqual(["this"]);
  });

  it("never writes a password, token, cookie or payload, at the top or one level down", () => {
    const { out, stream } = lines();
    createLogger("info", stream).warn({ username: "ada", password: "hunter2", token: "t0k3n", req: { cookie: "fleetscope_session=abc", authorization: "Basic eA==" }, message: { topic: "fleet/a/b/telemetry", payload: "secret-reading" } }, "refused");
    const text = JSON.stringify(out);
    for (const secret of ["hunter2", "t0k3n", "fleetscope_session=abc", "Basic eA==", "secret-reading"]) expect(text).not.toContain(secret);
    expect(out[0]).toMatchObject({ username: "ada", password: "[redacted]", req: { cookie: "[redacted]" }, message: { topic: "fleet/a/b/telemetry", payload: "[redacted]" } });
  });
});
