"use client";
import Link from "next/link";
import { useState } from "react";
import { logOut } from "@/lib/api-client/auth";
import { useActor } from "./ActorProvider";

/** The header's user, role, settings link and logout; with auth off, the visible warning badge instead. */
export function UserMenu() {
  const { username, role, auth } = useActor();
  const [error, setError] = useState<string | null>(null);
  if (!auth) {
    return (
      <span className="badge auth-off" data-testid="auth-off" title="FLEETSCOPE_AUTH=off: everyone who reaches this server is an admin">
        auth off
      </span>
    );
  }
  const logout = async () => {
    const out = await logOut().catch(() => null);
    if (!out) return setError("logout failed; try again");
    window.location.assign("/login");
  };
  return (
    <span className="user-menu">
      <Link href="/settings" data-testid="user" title={`logged in as ${username} (${role})`}>
        {username}
      </Link>
      <span className="muted small" data-testid="role">
        {role}
      </span>
      <button type="button" onClick={() => void logout()}>
        Log out
      </button>
      {error ? <span className="error small">{error}</span> : null}
    </span>
  );
}
