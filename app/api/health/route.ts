import { NextResponse } from "next/server";
import { sessionActor } from "@/lib/http/guard";
import { store } from "@/lib/http/context";
import { getPart, type PartStatus } from "@/lib/process/parts";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * Public, so orchestrators' probes need no login. Anonymous callers get each part's status word
 * only; the details (URLs, store kind, error messages, bridge counters) need a session.
 */
export async function GET(req: Request) {
  let storePart: PartStatus;
  let detailed = false;
  try {
    const s = await store();
    await s.ping();
    storePart = { status: "ok", kind: s.kind };
    detailed = (await sessionActor(req.headers.get("cookie"))) !== null;
  } catch (err) {
    storePart = { status: "down", error: err instanceof Error ? err.message : String(err) };
  }
  // With no bridge in this process (FLEETSCOPE_BRIDGE=off) the broker is someone else's to watch.
  const broker = getPart("broker") ?? { status: "off" };
  const bridge = getPart("bridge") ?? { status: "off" };
  const commands = getPart("commands") ?? { status: "off" };
  // A live capture inside the server (FLEETSCOPE_CAPTURE_INTERFACE); off unless asked for.
  const capture = getPart("capture") ?? { status: "off" };
  // The alert service beside this process's bridge: evaluating (role holder) or waiting for the lease.
  const alerts = getPart("alerts") ?? { status: "off" };
  const full = { broker, store: storePart, bridge, commands, capture, alerts };
  const parts = detailed
    ? full
    : {
        broker: { status: broker.status },
        store: { status: storePart.status },
        bridge: { status: bridge.status },
        commands: { status: commands.status },
        capture: { status: capture.status },
        alerts: { status: alerts.status },
      };
  const down = Object.entries(full).filter(([, p]) => p.status === "down");
  if (down.length === 0) return NextResponse.json({ status: "ok", ...parts });
  const named = down.map(([name, p]) => (detailed && p.error ? `${name} (${p.error})` : name));
  return NextResponse.json({ status: "down", ...parts, error: { code: "unavailable", message: `down: ${named.join(", ")}` } }, { status: 503 });
}
