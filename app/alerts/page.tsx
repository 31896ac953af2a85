import type { Metadata } from "next";
import { Suspense } from "react";
import { AlertsView } from "@/components/alerts/AlertsView";

export const metadata: Metadata = { title: "Alerts · Fleetscope" };

export default function AlertsPage() {
  return (
    <Suspense>
      <AlertsView />
    </Suspense>
  );
}
