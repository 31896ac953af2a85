import type { Metadata } from "next";
import { WireView } from "@/components/wire/WireView";

export const metadata: Metadata = { title: "Wire · Fleetscope" };

export default async function WirePage({ searchParams }: { searchParams: Promise<{ device?: string; capture?: string }> }) {
  const { device, capture } = await searchParams;
  return <WireView initialDevice={typeof device === "string" ? device : ""} initialCapture={typeof capture === "string" ? capture : ""} />;
}
