import { DeviceGrid } from "@/components/DeviceGrid";

export default function OverviewPage() {
  return <DeviceGrid />;
}
