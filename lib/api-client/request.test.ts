import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, apiRequest, apiResponse, UNREACHABLE } from "./request";

/** Answers as the API does, and as what sits in front of it sometimes does. */
let server: Server;
let base = "";
const seen: { method: string; type: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", type: req.headers["content-type"], body });
      const json = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      switch (req.url) {
        case "/api/devices":
          return json(200, { devices: [{ id: "arm-01" }] });
        case "/api/commands":
          return json(409, { error: { code: "conflict", message: "arm-01 is offline" }, command: { id: "c1" } });
        case "/api/health":
          return json(503, { status: "down", store: { status: "down" }, error: { code: "unavailable", message: "down: store" } });
        case "/api/proxy":
          return res.writeHead(502, "Bad Gateway", { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
        case "/api/html":
          return res.writeHead(200, { "content-type": "text/html" }).end("<html>log in to the wifi</html>");
        default:
          return json(404, { error: { code: "not_found", message: "no such thing" } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const failure = (p: Promise<unknown>) => p.then(() => expect.fail("the request succeeded"), (err: unknown) => err as ApiError);

describe("the API client's request", () => {
  it("returns the JSON of a successful answer", async () => {
    expect(await apiRequest<{ devices: { id: string }[] }>(`${base}/api/devices`)).toEqual({ devices: [{ id: "arm-01" }] });
  });

  it("sends a body as JSON", async () => {
    await failure(apiRequest(`${base}/api/commands`, { method: "POST", body: { device: "arm-01" } }));
    expect(seen.at(-1)).toEqual({ method: "POST", type: "application/json", body: '{"device":"arm-01"}' });
  });

  it("turns the documented error body into an ApiError with its status, code and message, keeping the keys beside it", async () => {
    const err = await failure(apiRequest(`${base}/api/commands`, { method: "POST", body: {} }));
    expect(err).toBeInstanceOf(ApiError);
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 409, code: "conflict", message: "arm-01 is offline" });
    expect(err.body.command).toEqual({ id: "c1" });
  });

  it("reads an error status the endpoint answers with as the answer, when told to", async () => {
    expect(await apiRequest(`${base}/api/health`, { answeredBy: [503] })).toMatchObject({ status: "down", store: { status: "down" } });
    expect((await failure(apiRequest(`${base}/api/health`))).code).toBe("unavailable");
  });

  it("says what a non-JSON error page was, not a JSON parse error", async () => {
    const err = await failure(apiRequest(`${base}/api/proxy`));
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 502, code: "not_api", message: "HTTP 502 Bad Gateway, without the API's error message" });
  });

  it("says when a successful answer is not JSON", async () => {
    const err = await failure(apiRequest(`${base}/api/html`));
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 200, code: "not_api", message: "the server's answer (HTTP 200) was not JSON" });
  });

  it("hands a successful answer over unread for a download", async () => {
    const res = await apiResponse(`${base}/api/devices`);
    expect(await res.text()).toBe('{"devices":[{"id":"arm-01"}]}');
  });

  it("says the server cannot be reached when nothing answers", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(apiRequest(`http://127.0.0.1:${port}/api/devices`));
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 0, code: "network", message: UNREACHABLE });
  });

  it("rethrows an abort as the abort, for the caller that asked for it", async () => {
    const abort = new AbortController();
    abort.abort();
    const err: unknown = await apiRequest(`${base}/api/devices`, { signal: abort.signal }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApiError);
    expect((err as Error).name).toBe("AbortError");
  });
});
