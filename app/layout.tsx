import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { ConnectionBadge } from "@/components/ConnectionBadge";
import { ConnectionBanner } from "@/components/ConnectionBanner";
import { FleetProvider } from "@/components/FleetProvider";
import { serverConfig } from "@/lib/http/context";
import "./globals.css";

export const metadata: Metadata = { title: "Fleetscope", description: "Live and historical MQTT fleet dashboard" };
// The broker URL is runtime configuration, not build-time.
export const dynamic = "force-dynamic";

export default function RootLayout({ children }: { children: ReactNode }) {
  const wsUrl = serverConfig().mqttWsUrl ?? null;
  return (
    <html lang="en">
      <body>
        <FleetProvider wsUrl={wsUrl}>
          <header className="top">
            <Link href="/" className="brand">Fleetscope</Link>
            <nav>
              <Link href="/">Fleet</Link>
              <Link href="/topics">Topics</Link>
              <Link href="/wire">Wire</Link>
              <Link href="/commands">Commands</Link>
            </nav>
            <ConnectionBadge />
          </header>
          <ConnectionBanner />
          <main>{children}</main>
        </FleetProvider>
      </body>
    </html>
  );
}
