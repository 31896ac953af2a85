import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { internalError } from "@/lib/http/errors";
import { serverConfig, store } from "@/lib/http/context";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { conventionsWith } from "@/lib/devices/builtin";
import { sharedInterpreter } from "@/lib/devices/shared";
import { sharedRuleWatch } from "@/lib/user-rules/watch";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * The conventions in force, each with its stored devices and, from this process's bridge, the
 * messages it read and could not interpret (null where no bridge runs here to count them).
 */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  try {
    const devices = await (await store()).listDevices();
    const perConvention = new Map<string, number>();
    for (const d of devices) perConvention.set(d.convention, (perConvention.get(d.convention) ?? 0) + 1);
    const interpreter = sharedInterpreter();
    const counts = new Map((interpreter?.counts() ?? []).map((c) => [c.id, c]));
    const conventions = (interpreter?.conventions ?? conventionsWith(sharedRuleWatch()?.set.rules ?? serverConfig().conventionRules)).map((c) => {
      const n = counts.get(c.id);
      return {
        id: c.id,
        label: c.label,
        devices: perConvention.get(c.id) ?? 0,
        messages: n?.messages ?? null,
        notUnderstood: n?.notUnderstood ?? null,
        lastProblem: n?.lastProblem ?? null,
      };
    });
    return NextResponse.json({ conventions });
  } catch (err) {
    return internalError("listing conventions", err);
  }
}
