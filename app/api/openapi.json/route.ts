import { NextResponse } from "next/server";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { openApiDocument } from "@/lib/http/openapi/document";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * GET /api/openapi.json: the HTTP API as OpenAPI 3.1 (lib/http/openapi/). Public, as /api/health
 * is: it says what the routes take, nothing of the fleet's data, and tools fetch it before any login.
 */
export function GET() {
  return NextResponse.json(openApiDocument());
}
