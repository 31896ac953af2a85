/**
 * GET /api/openapi.json: the OpenAPI 3.1 document of the HTTP API, made from operations.ts, whose
 * schemas are the ones the routes validate with, turned into JSON Schema 2020-12 (OpenAPI 3.1's
 * dialect) by zod's own `z.toJSONSchema`. Besides each operation's own errors: 400 where it takes
 * input, 413 where it takes a body, 401 and 403 where it needs a role, 403 (CSRF) for every
 * state-changing method, 500 where a store is read, and 405 for each method a route file answers
 * only with `otherMethods`.
 */
import { z } from "zod";
import { SESSION_COOKIE } from "../../auth/session-token";
import { API_ROUTES, type ApiRoute } from "../api-routes";
import { apiErrorBody, ERROR_CODES, ERROR_STATUS, type ErrorCode } from "../error-body";
import type { Method } from "../method-not-allowed";
import { OPERATIONS, type Operation } from "./operations";

const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

type JsonSchema = Record<string, unknown>;

/** What a request must look like: the input side of transforms and defaults; refinements are not expressible. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** `/api/devices/[id]` → `/api/devices/{id}` (a catch-all's segments as one parameter). */
export const openApiPath = (route: ApiRoute) => route.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}");

const errorRef = (code: ErrorCode) => ({ $ref: `#/components/responses/${code}` });

function parameters(route: ApiRoute, op: Operation) {
  const path = [...route.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map(([, name]) => ({
    name: name!,
    in: "path",
    required: true,
    schema: op.params?.[name!] ? jsonSchema(op.params[name!]!) : { type: "string", minLength: 1 },
  }));
  const q = op.query ? jsonSchema(op.query) : null;
  const required = new Set((q?.required as string[] | undefined) ?? []);
  const query = Object.entries((q?.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, schema]) => ({ name, in: "query", required: required.has(name), schema }));
  return [...path, ...query];
}

function requestBody(op: Operation) {
  if (!op.body) return undefined;
  if (typeof op.body === "string") return { required: true, content: { [op.body]: { schema: { type: "string", format: "binary" } } } };
  const schema = jsonSchema(op.body);
  for (const key of op.serverKeys ?? []) {
    delete (schema.properties as JsonSchema | undefined)?.[key];
    if (Array.isArray(schema.required)) schema.required = schema.required.filter((k) => k !== key);
  }
  return { required: true, content: { "application/json": { schema } } };
}

function errorsOf(method: Method, op: Operation): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors);
  if (op.query || op.body || op.params) codes.add("bad_request");
  if (op.body) codes.add("payload_too_large");
  if (op.access !== "public") codes.add("unauthorized").add("forbidden").add("internal");
  if (method !== "GET") codes.add("forbidden");
  return ERROR_CODES.filter((c) => codes.has(c));
}

function operation(route: ApiRoute, method: Method, op: Operation) {
  const body = requestBody(op);
  const ok = op.ok.status < 400 ? { [op.ok.status]: { description: op.ok.description, content: { [op.ok.media ?? "application/json"]: {} } } } : {};
  return {
    operationId: operationId(method, route),
    summary: op.summary,
    description: op.access === "public" ? "Public: no session needed." : `Needs the ${op.access} role (or a higher one).`,
    ...(op.access === "public" ? { security: [] } : {}),
    parameters: parameters(route, op),
    ...(body ? { requestBody: body } : {}),
    responses: { ...ok, ...Object.fromEntries(errorsOf(method, op).map((c) => [ERROR_STATUS[c], errorRef(c)])) },
  };
}

const operationId = (method: Method, route: ApiRoute) => `${method.toLowerCase()}${openApiPath(route).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`;

/** A method the route file answers only with `otherMethods`: 405 with an `Allow` header. */
const notServed = (route: ApiRoute, method: Method, served: string) => ({
  operationId: operationId(method, route),
  summary: `Not served: ${served} only`,
  security: [],
  responses: { 405: errorRef("method_not_allowed") },
});

export function openApiDocument() {
  const paths = Object.fromEntries(
    API_ROUTES.map((route) => {
      const ops = OPERATIONS[route];
      const served = METHODS.filter((m) => ops[m]).join(", ");
      const item = Object.fromEntries(METHODS.map((m) => [m.toLowerCase(), ops[m] ? operation(route, m, ops[m]!) : notServed(route, m, served)]));
      return [openApiPath(route), item];
    }),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "Fleetscope HTTP API",
      version: "1",
      description: "JSON; time is integer epoch milliseconds; errors are `{ error: { code, message } }` with the status each code comes with. Log in with POST /api/auth/login for the session cookie.",
    },
    paths,
    security: [{ session: [] }],
    components: {
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE } },
      schemas: { Error: jsonSchema(apiErrorBody) },
      responses: Object.fromEntries(
        ERROR_CODES.map((code) => [
          code,
          {
            description: code,
            content: { "application/json": { schema: { allOf: [{ $ref: "#/components/schemas/Error" }, { properties: { error: { properties: { code: { const: code } } } } }] } } },
          },
        ]),
      ),
    },
  };
}
