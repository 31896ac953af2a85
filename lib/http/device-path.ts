/** A device id as a route's path gives it (`/api/devices/{id}/…`), checked before the store is asked. */
import { asDeviceId, type DeviceId } from "../devices/model";
import { badRequest } from "./errors";

/** Device ids are one topic level: any text but `/`, `+`, `#`, bounded in length. */
const MAX_ID_LENGTH = 256;

export function deviceIdOfPath(id: string): DeviceId | Response {
  if (id.length === 0 || id.length > MAX_ID_LENGTH || /[/+#\u0000]/.test(id)) {
    return badRequest(`id: must be one topic level of 1..${MAX_ID_LENGTH} characters without / + #`);
  }
  return asDeviceId(id);
}
