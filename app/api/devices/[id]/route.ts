import { NextResponse } from "next/server";
import { guard } from "@/lib/auth/guard";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { asDeviceId } from "@/lib/devices/model";
import { commandsFor } from "@/lib/commands/definitions";
import { commandService } from "@/lib/commands/shared";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** Device ids are one topic level: any text but `/`, `+`, `#`, bounded in length. */
const MAX_ID_LENGTH = 256;

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const { id } = await ctx.params;
  if (id.length === 0 || id.length > MAX_ID_LENGTH || /[/+#\u0000]/.test(id)) {
    return badRequest(`id: must be one topic level of 1..${MAX_ID_LENGTH} characters without / + #`);
  }
  try {
    const device = await (await store()).getDevice(asDeviceId(id));
    if (!device) return apiError(404, "not_found", `no device ${JSON.stringify(id)} has been seen`);
    // Advertised commands come from the service's subscription; without one, the kind's still show.
    const service = commandService();
    const commands = service ? service.definitions(device) : commandsFor(device.fields, null);
    return NextResponse.json({ ...device, commands, commandProblems: service?.advertisementProblems(device.id) ?? [] });
  } catch (err) {
    return internalError("reading a device", err);
  }
}
