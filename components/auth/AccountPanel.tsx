"use client";
import { useActor } from "./ActorProvider";

export function AccountPanel() {
  const { username, role, auth, can } = useActor();
  if (!auth) return <p>Authentication is off (FLEETSCOPE_AUTH=off): everyone who reaches this server is an admin, and there are no users to manage.</p>;
  return (
    <p>
      Logged in as <strong>{username}</strong>, {role}: {can.manageUsers ? "sees everything, sends commands, publishes and manages users" : can.command ? "sees everything, sends commands and publishes" : "sees everything"}.
    </p>
  );
}
