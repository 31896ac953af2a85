import type { Metadata } from "next";
import { TopicsExplorer } from "@/components/topics/TopicsExplorer";

export const metadata: Metadata = { title: "Topics · Fleetscope" };

export default function TopicsPage() {
  return <TopicsExplorer />;
}
