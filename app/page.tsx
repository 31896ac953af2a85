import { Suspense } from "react";
import { DeviceGrid } from "@/components/DeviceGrid";

export default function OverviewPage() {
  // The grid reads its filter, sort and grouping from the URL (useSearchParams).
  return (
    <Suspense>
      <DeviceGrid />
    </Suspense>
  );
}
