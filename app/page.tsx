import { Suspense } from "react";
import { DeviceGrid } from "@/components/DeviceGrid";
import { AlertOverlayProvider } from "@/components/alerts/AlertOverlay";

export default function OverviewPage() {
  // The grid reads its filter, sort and grouping from the URL (useSearchParams).
  return (
    <Suspense>
      <AlertOverlayProvider>
        <DeviceGrid />
      </AlertOverlayProvider>
    </Suspense>
  );
}
