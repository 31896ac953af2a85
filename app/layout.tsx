import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { AlertBadge } from "@/components/alerts/AlertBadge";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ActorProvider } from "@/components/auth/ActorProvider";
import { UserMenu } from "@/components/auth/UserMenu";
import { ConnectionBadge } from "@/components/ConnectionBadge";
import { ConnectionBanner } from "@/components/ConnectionBanner";
import { FleetProvider } from "@/components/FleetProvider";
import { AtLink } from "@/components/timetravel/AtLink";
import { TimeTravelBar } from "@/components/timetravel/TimeTravelBar";
import { pageActor } from "@/lib/http/page-actor";
import { sharedRuleWatch } from "@/lib/user-rules/watch";
import { serverConfig } from "@/lib/http/context";
import { protocolChoice } from "@/lib/mqtt/protocol";
import { loginUrl, PATH_HEADER } from "@/lib/http/page-path";
import "./globals.css";

export const metadata: Metadata = { title: "Fleetscope", description: "Live and historical MQTT fleet dashboard" };
// The broker URL is runtime configuration, not build-time; and every page has a CSP nonce.
export const dynamic = "force-dynamic";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const path = (await headers()).get(PATH_HEADER);
  let actor: Awaited<ReturnType<typeof pageActor>>;
  try {
    actor = await pageActor();
  } catch (err) {
    // No store, no session check: say so instead of a bare 500 (the cause goes to the log).
    process.stderr.write(`fleetscope: checking a page's session: ${err instanceof Error ? err.message : String(err)}\n`);
    return (
      <html lang="en">
        <body>
          <main>
            <p className="error" role="alert">
              Fleetscope cannot check logins right now: the store is not answering. <a href="/api/health">/api/health</a> says more.
            </p>
          </main>
        </body>
      </html>
    );
  }
  if (!actor) {
    // The login page renders bare: no broker connection, no data, nothing to leak.
    if (!path?.startsWith("/login")) redirect(loginUrl(path));
    return (
      <html lang="en">
        <body>
          <main>{children}</main>
        </body>
      </html>
    );
  }
  const wsUrl = serverConfig().mqttWsUrl ?? null;
  return (
    <html lang="en">
      <body>
        <ActorProvider actor={actor}>
          <FleetProvider wsUrl={wsUrl} protocol={protocolChoice(serverConfig().mqttUrl === undefined)} rules={sharedRuleWatch()?.set.rules ?? serverConfig().conventionRules}>
            <header className="top">
              <Link href="/" className="brand">Fleetscope</Link>
              <nav>
                <AtLink href="/">Fleet</AtLink>
                <AtLink href="/topics">Topics</AtLink>
                <AtLink href="/wire">Wire</AtLink>
                <Link href="/commands">Commands</Link>
                <AlertBadge />
                <Link href="/settings">Settings</Link>
              </nav>
              <ConnectionBadge />
              <UserMenu />
            </header>
            <TimeTravelBar />
            <ConnectionBanner />
            <main>{children}</main>
          </FleetProvider>
        </ActorProvider>
      </body>
    </html>
  );
}
