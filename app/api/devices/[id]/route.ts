import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { apiError, internalError } from "@/lib/http/errors";
import { deviceIdOfPath } from "@/lib/http/device-path";
import { store } from "@/lib/http/context";
import { commandsFor } from "@/lib/commands/definitions";
import { commandService } from "@/lib/command-service/shared";
import { otherMethods } from "@/lib/http/method-not-allowed";
import type { DeviceDetail } from "@/lib/api-client/devices";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = deviceIdOfPath((await ctx.params).id);
  if (id instanceof Response) return id;
  try {
    const device = await (await store()).getDevice(id);
    if (!device) return apiError(404, "not_found", `no device ${JSON.stringify(id)} has been seen`);
    // Advertised commands come from the service's subscription; without one, the kind's still show.
    const service = commandService();
    const commands = service ? service.definitions(device) : commandsFor(device.fields, null);
    return NextResponse.json({ ...device, commands, commandProblems: service?.advertisementProblems(device.id) ?? [] } satisfies DeviceDetail);
  } catch (err) {
    return internalError("reading a device", err);
  }
}
