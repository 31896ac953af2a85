import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import type { Actor } from "@/lib/auth/roles";
import { roleAllows } from "@/lib/auth/roles";
import { describeArgErrors } from "@/lib/devices/command-args";
import { commandsToCsv } from "@/lib/commands/audit-csv";
import { commandService } from "@/lib/command-service/shared";
import { store } from "@/lib/http/context";
import { readJsonBody } from "@/lib/http/body";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { MAX_COMMAND_BODY_BYTES, MAX_COMMAND_LIMIT, MAX_CSV_ROWS, commandBody, commandListQuery, describeBodyError, idempotencyHeader } from "@/lib/http/commands-params";
import { firstProblem } from "@/lib/http/query-params";
import type { Command } from "@/lib/commands/lifecycle";
import type { CommandQuery } from "@/lib/store/command-log";
import { InvalidCursorError } from "@/lib/store/types";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { logger } from "@/lib/log/logger";

export const dynamic = "force-dynamic";
export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

const accepted = (c: Command, replayed = false) =>
  NextResponse.json({ ...c }, { status: 202, headers: replayed ? { "Idempotent-Replayed": "true" } : undefined });

/** POST /api/commands: validate, record, send; 202 with the command as recorded. */
export async function POST(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  // The role before anything the body names is checked or looked up: a viewer gets 403 whatever it names (issue 21).
  if (!roleAllows(actor.role, "operator")) return viewerRefused(req, actor);
  // JSON only: a browser cannot send it cross-site without a CORS preflight, which this server never grants.
  if (!/^application\/json\b/i.test(req.headers.get("content-type") ?? "")) {
    return apiError(415, "unsupported_media_type", "send the command as JSON, with Content-Type: application/json");
  }
  const body = await readJsonBody(req, commandBody, { maxBytes: MAX_COMMAND_BODY_BYTES, describe: describeBodyError });
  if (!body.ok) return body.response;
  // The key may come as the conventional header or in the body; the header wins.
  let key = body.data.idempotencyKey;
  const header = req.headers.get("idempotency-key");
  if (header !== null) {
    const k = idempotencyHeader.safeParse(header);
    if (!k.success) return badRequest(`Idempotency-Key: ${k.error.issues[0]!.message}`);
    key = k.data;
  }
  const service = commandService();
  if (!service) return apiError(503, "unavailable", "this server process sends no commands (it runs without the command service)");
  try {
    const r = await service.submit({
      device: body.data.device,
      name: body.data.name,
      args: body.data.args,
      timeoutMs: body.data.timeoutMs,
      key,
      actor: actor.username,
    });
    switch (r.kind) {
      case "send":
        return accepted(r.command);
      case "existing":
        if (!r.same) return apiError(409, "conflict", `the idempotency key was already used for another request (command ${r.command.id})`, { command: r.command });
        // A retry learns what the first attempt learnt: a refused command stays refused.
        if (r.command.state === "rejected") return apiError(409, "conflict", `this request was rejected when first sent: ${r.command.error}`, { command: r.command });
        return accepted(r.command, true);
      case "unknown_device":
        return apiError(404, "not_found", `no device ${JSON.stringify(body.data.device)} has been seen`);
      case "unknown_command":
        return badRequest(`name: ${body.data.device} has no command ${JSON.stringify(body.data.name)}${r.known.length ? ` (it has ${r.known.join(", ")})` : " (it advertises none and its kind is unknown)"}`);
      case "invalid":
        return apiError(400, "bad_request", describeArgErrors(r.errors), { fields: r.errors, command: r.command });
      case "forbidden":
        return apiError(403, "forbidden", r.command.error!, { command: r.command });
      case "offline":
        return apiError(409, "conflict", `${r.command.error}; ${r.command.name} is only sent to online devices`, { command: r.command });
    }
  } catch (err) {
    return internalError("recording a command", err);
  }
}

/**
 * A viewer's POST: 403 whatever it names. A well-formed request for a command a known device has
 * is also recorded as rejected, for the audit (README, Commands), and the 403 carries it.
 */
async function viewerRefused(req: NextRequest, actor: Actor): Promise<Response> {
  const reason = `${actor.username} is a viewer; sending commands takes the operator role`;
  logger("auth").warn({ method: req.method, path: req.nextUrl.pathname, username: actor.username, role: actor.role, need: "operator" }, "refused: role too low");
  const refused = (command?: Command) => apiError(403, "forbidden", reason, command ? { command } : undefined);
  const service = commandService();
  if (!service || !/^application\/json\b/i.test(req.headers.get("content-type") ?? "")) return refused();
  const body = await readJsonBody(req, commandBody, { maxBytes: MAX_COMMAND_BODY_BYTES, describe: describeBodyError });
  if (!body.ok) return refused();
  try {
    const r = await service.submit({ device: body.data.device, name: body.data.name, args: body.data.args, timeoutMs: body.data.timeoutMs, actor: actor.username, forbidden: reason });
    return refused(r.kind === "forbidden" ? r.command : undefined);
  } catch (err) {
    return internalError("recording a viewer's command", err);
  }
}

/** GET /api/commands: the audit log, newest first, filtered; `format=csv` for a file. */
export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const params = req.nextUrl.searchParams;
  const parsed = commandListQuery.safeParse(Object.fromEntries(params));
  if (!parsed.success) return badRequest(firstProblem(parsed.error, params));
  const { format, ...q } = parsed.data;
  try {
    const log = (await store()).commands;
    if (format === "json") return NextResponse.json(await log.list(q as CommandQuery));
    const rows: Command[] = [];
    let cursor = q.cursor;
    do {
      const page = await log.list({ ...(q as CommandQuery), cursor, limit: Math.min(MAX_COMMAND_LIMIT, MAX_CSV_ROWS - rows.length) });
      rows.push(...page.commands);
      cursor = page.next ?? undefined;
    } while (cursor && rows.length < MAX_CSV_ROWS);
    return new NextResponse(commandsToCsv(rows), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="fleetscope-commands.csv"`,
        ...(cursor ? { "x-fleetscope-truncated": `first ${MAX_CSV_ROWS} commands; narrow from/to for the rest` } : {}),
      },
    });
  } catch (err) {
    if (err instanceof InvalidCursorError || (err instanceof Error && err.name === "InvalidCursorError")) return badRequest(`cursor: ${err.message}`);
    return internalError("reading the command log", err);
  }
}
