import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import { z } from "zod";
import { guard } from "@/lib/http/guard";
import { silenceBodySchema } from "@/lib/alerts/silence";
import { apiSilence, silenceRecordOf } from "@/lib/alerting/records";
import { audit, silencesQuery as query } from "@/lib/alerting/requests";
import { alertService } from "@/lib/alerting/shared";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { badRequest, describeZodError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

/** GET /api/silences?state=active|all → `{ silences: [{ id, matchers, comment, createdBy, createdAt, startsAt, endsAt, state }] }`, newest first. */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const q = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!q.success) return badRequest(describeZodError(q.error));
  try {
    const now = Date.now();
    const rows = await (await store()).alerts.listSilences(q.data.state === "active" ? { activeAt: now } : {});
    return NextResponse.json({ silences: rows.map((r) => apiSilence(r, now)) }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return internalError("listing silences", err);
  }
}

/**
 * POST /api/silences (operator) `{ matchers: [{ name, op, value }], startsAt?, endsAt, comment }`
 * → 201 the silence. Its author is the caller (a `createdBy` in the body is replaced).
 */
export async function POST(req: Request) {
  const actor = await guard(req, "operator");
  if (actor instanceof Response) return actor;
  const raw = await readJsonBody(req, z.record(z.string(), z.unknown(), { error: "must be a JSON object" }));
  if (!raw.ok) return raw.response;
  const body = silenceBodySchema.safeParse({ ...raw.data, createdBy: actor.username });
  if (!body.success) return badRequest(describeZodError(body.error));
  try {
    const s = await store();
    const now = Date.now();
    if (body.data.endsAt <= (body.data.startsAt ?? now)) return badRequest("endsAt: must be in the future");
    const record = silenceRecordOf(body.data, randomUUID(), now);
    await s.alerts.saveSilence(record);
    await audit(s, actor, "silence.created", `silence:${record.id}`, apiSilence(record, now));
    await alertService()?.reloadSilences();
    return NextResponse.json(apiSilence(record, now), { status: 201 });
  } catch (err) {
    return internalError("saving the silence", err);
  }
}
