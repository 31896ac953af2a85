import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditLog } from "@/components/commands/AuditLog";

export const metadata: Metadata = { title: "Commands · Fleetscope" };

export default function CommandsPage() {
  return (
    <Suspense>
      <AuditLog />
    </Suspense>
  );
}
