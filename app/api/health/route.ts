import { NextResponse } from "next/server";
import { store } from "@/lib/http/context";
import { getPart, type PartStatus } from "@/lib/health/parts";

export const dynamic = "force-dynamic";

export async function GET() {
  let storePart: PartStatus;
  try {
    const s = await store();
    await s.ping();
    storePart = { status: "ok", kind: s.kind };
  } catch (err) {
    storePart = { status: "down", error: err instanceof Error ? err.message : String(err) };
  }
  // With no bridge in this process (FLEETSCOPE_BRIDGE=off) the broker is someone else's to watch.
  const broker = getPart("broker") ?? { status: "off" };
  const bridge = getPart("bridge") ?? { status: "off" };
  const commands = getPart("commands") ?? { status: "off" };
  const parts = { broker, store: storePart, bridge, commands };
  const down = Object.entries(parts).filter(([, p]) => p.status === "down").map(([name, p]) => (p.error ? `${name} (${p.error})` : name));
  if (down.length === 0) return NextResponse.json({ status: "ok", ...parts });
  return NextResponse.json(
    { status: "down", ...parts, error: { code: "unavailable", message: `down: ${down.join(", ")}` } },
    { status: 503 },
  );
}
