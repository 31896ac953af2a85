import "server-only";
/** The user a page renders for, from the request's cookie (server components only). */
import { cookies } from "next/headers";
import { serverConfig } from "./context";
import { sessionActor } from "./guard";
import type { Actor } from "../auth/roles";

export async function pageActor(): Promise<(Actor & { auth: boolean }) | null> {
  const jar = await cookies();
  const header = jar.getAll().map((c) => `${c.name}=${c.value}`).join("; ");
  const actor = await sessionActor(header || null);
  return actor ? { ...actor, auth: serverConfig().auth } : null;
}
