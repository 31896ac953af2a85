import { NextResponse } from "next/server";
import { issueBrokerToken } from "@/lib/auth/broker-token";
import { guard } from "@/lib/http/guard";
import { serverConfig } from "@/lib/http/context";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * GET /api/auth/broker-token → `{ username, password, expiresAt }`: what this user's tab sends
 * in its MQTT CONNECT. With the embedded broker, a short-lived token carrying the user's role;
 * with an external one, the browser account configured for it (MQTT_BROWSER_USERNAME/PASSWORD),
 * or nothing.
 */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const config = serverConfig();
  const headers = { "cache-control": "no-store" };
  if (config.mqttUrl) {
    return NextResponse.json({ username: config.mqttBrowserUsername ?? null, password: config.mqttBrowserPassword ?? null, expiresAt: null }, { headers });
  }
  const { token, expiresAt } = issueBrokerToken(actor, Date.now());
  return NextResponse.json({ username: actor.username, password: token, expiresAt }, { headers });
}
