import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { apiRoutePatterns } from "../../../test/helpers/api-route-files";
import { commandBody } from "../commands-params";
import { ERROR_CODES, ERROR_STATUS } from "../error-body";
import { openApiDocument } from "./document";

const doc = openApiDocument();
type Op = { responses: Record<string, { $ref?: string }>; parameters: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } };
const operations = Object.values(doc.paths).flatMap((item) => Object.values(item) as Op[]);

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has an entry for every route file under app/api, with every method", () => {
    const paths = apiRoutePatterns().map((r) => r.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}"));
    expect(Object.keys(doc.paths).sort()).toEqual(paths.sort());
    for (const item of Object.values(doc.paths)) expect(Object.keys(item).sort()).toEqual(["delete", "get", "patch", "post", "put"]);
  });

  it("reaches every documented error code from some operation, at the status it comes with", () => {
    for (const code of ERROR_CODES) {
      const ref = `#/components/responses/${code}`;
      expect(operations.some((op) => op.responses[ERROR_STATUS[code]]?.$ref === ref), code).toBe(true);
    }
  });

  it("takes its schemas from the ones the routes validate with", () => {
    const post = doc.paths["/api/commands"]!.post as Op;
    expect(post.requestBody!.content["application/json"]!.schema).toMatchObject({ type: "object", required: expect.arrayContaining(["device", "name"]) });
    expect(Object.keys(post.requestBody!.content["application/json"]!.schema.properties as object).sort()).toEqual(Object.keys(commandBody.shape).sort());
    const series = (doc.paths["/api/series"]!.get as Op).parameters;
    expect(series.filter((p) => p.in === "query").map((p) => [p.name, p.required])).toEqual([["device", true], ["field", true], ["from", false], ["to", false], ["points", false]]);
    expect((doc.paths["/api/devices/{id}"]!.get as Op).parameters).toEqual([expect.objectContaining({ name: "id", in: "path", required: true })]);
  });

  it("keeps the fields the server sets out of request bodies", () => {
    const silence = (doc.paths["/api/silences"]!.post as Op).requestBody!.content["application/json"]!.schema;
    expect(Object.keys(silence.properties as object)).not.toContain("createdBy");
    expect(silence.required).not.toContain("createdBy");
  });
});
