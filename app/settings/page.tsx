import type { Metadata } from "next";
import { UsersAdmin } from "@/components/auth/UsersAdmin";
import { AccountPanel } from "@/components/auth/AccountPanel";

export const metadata: Metadata = { title: "Settings · Fleetscope" };

/** Settings: this account; for admins, the users. */
export default function SettingsPage() {
  return (
    <section>
      <h1>Settings</h1>
      <AccountPanel />
      <UsersAdmin />
    </section>
  );
}
