import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { RULE_CHANGES_LISTED, ruleNameParam, rulesInForce } from "@/lib/user-rules/requests";
import { sharedRuleWatch } from "@/lib/user-rules/watch";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");

type Ctx = { params: Promise<{ name: string }> };

async function nameOf(ctx: Ctx): Promise<string | Response> {
  const name = ruleNameParam.safeParse((await ctx.params).name);
  return name.success ? name.data : badRequest(`name: ${name.error.issues[0]!.message}`);
}

/** GET /api/conventions/rules/{name} → `{ rule: {…as in the list}, changes: [its last 50 changes] }`. */
export async function GET(req: Request, ctx: Ctx) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const name = await nameOf(ctx);
  if (name instanceof Response) return name;
  try {
    const s = await store();
    const { entries } = await rulesInForce(s, serverConfig().conventionRules);
    // The file's rule is the one in force where a saved one shares its name.
    const entry = entries.find((e) => e.name === name && e.source === "file") ?? entries.find((e) => e.name === name);
    if (!entry) return apiError(404, "not_found", `no rule ${JSON.stringify(name)}`);
    return NextResponse.json({ rule: entry, changes: await s.rules.changes(RULE_CHANGES_LISTED, name) });
  } catch (err) {
    return internalError("reading the rule", err);
  }
}

/** DELETE /api/conventions/rules/{name} (admin) → `{ deleted: name }`; its devices stay, read by no rule. 409 for a file rule. */
export async function DELETE(req: Request, ctx: Ctx) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const name = await nameOf(ctx);
  if (name instanceof Response) return name;
  try {
    if (serverConfig().conventionRules.some((r) => r.name === name)) {
      return apiError(409, "conflict", `rule "${name}" comes from FLEETSCOPE_CONVENTIONS: remove it there`);
    }
    if (!(await (await store()).rules.remove(name, actor.username, Date.now()))) return apiError(404, "not_found", `no saved rule ${JSON.stringify(name)}`);
    await sharedRuleWatch()?.refresh();
    return NextResponse.json({ deleted: name });
  } catch (err) {
    return internalError("deleting the rule", err);
  }
}
