import { NextResponse } from "next/server";
import { z } from "zod";
import { guard } from "@/lib/http/guard";
import { readJsonBody } from "@/lib/http/body";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { readSavedRule, saveRefusal } from "@/lib/user-rules/rule-set";
import { RULE_CHANGES_LISTED, rulesInForce } from "@/lib/user-rules/requests";
import { sharedRuleWatch } from "@/lib/user-rules/watch";
import { TooManyRulesError } from "@/lib/store/rules";

export const dynamic = "force-dynamic";
export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

/** A rule is small: 64 fields and 32 commands with their schemas fit well inside. */
const MAX_RULE_BODY_BYTES = 256 * 1024;

/**
 * GET /api/conventions/rules → `{ rules: [{ name, source: "file"|"saved", rule, problem,
 * createdAt, updatedAt, updatedBy }], changes: [the last 50 saves and deletions], error }`.
 */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  try {
    const s = await store();
    const set = await rulesInForce(s, serverConfig().conventionRules);
    return NextResponse.json({ rules: set.entries, changes: await s.rules.changes(RULE_CHANGES_LISTED), error: sharedRuleWatch()?.error ?? null }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return internalError("listing the rules", err);
  }
}

/**
 * POST /api/conventions/rules (admin) with one rule (lib/devices/conventions/rules.ts) → 201
 * `{ action: "created", rule }`, or 200 with "updated"/"unchanged" for a name already saved. It
 * is in force on this server when the answer comes, on other bridges within RULES_POLL_MS.
 * 400 lists every problem in `errors`, each naming its key; 409 for a name the file has, or past MAX_RULES.
 */
export async function POST(req: Request) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const body = await readJsonBody(req, z.unknown(), { maxBytes: MAX_RULE_BODY_BYTES });
  if (!body.ok) return body.response;
  const read = readSavedRule(JSON.stringify(body.data));
  if (!read.ok) return apiError(400, "bad_request", read.errors.join("; "), { errors: read.errors });
  const rule = read.rule;
  try {
    const s = await store();
    const fileRules = serverConfig().conventionRules;
    const refusal = saveRefusal(fileRules, await rulesInForce(s, fileRules), rule.name);
    if (refusal) return apiError(409, "conflict", refusal);
    const action = await s.rules.save({ name: rule.name, doc: JSON.stringify(rule) }, actor.username, Date.now());
    await sharedRuleWatch()?.refresh();
    const entry = (await rulesInForce(s, fileRules)).entries.find((e) => e.source === "saved" && e.name === rule.name);
    return NextResponse.json({ action, rule: entry }, { status: action === "created" ? 201 : 200 });
  } catch (err) {
    if (err instanceof TooManyRulesError) return apiError(409, "conflict", err.message);
    return internalError("saving the rule", err);
  }
}
