import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { setupTokenValid } from "@/lib/server/first-start";
import { pageActor } from "@/lib/http/page-actor";
import { safeNext } from "@/lib/http/page-path";

export const metadata: Metadata = { title: "Log in · Fleetscope" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const next = safeNext(one(q.next));
  if (await pageActor()) redirect(next);
  // A used or wrong setup link gets the login form and says why, not a setup form that fails.
  const setup = one(q.setup);
  const valid = setup !== undefined && setupTokenValid(setup);
  return <LoginForm next={next} setupToken={valid ? setup : null} notice={setup !== undefined && !valid ? "This setup link has been used, or is not the one the server printed last: log in, or use the newest link from its start-up banner." : null} />;
}
