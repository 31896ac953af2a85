import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/LoginForm";
import { pageActor } from "@/lib/auth/page-actor";
import { safeNext } from "@/lib/http/page-path";

export const metadata: Metadata = { title: "Log in · Fleetscope" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
  const next = safeNext(one(q.next));
  if (await pageActor()) redirect(next);
  return <LoginForm next={next} setupToken={one(q.setup) ?? null} />;
}
