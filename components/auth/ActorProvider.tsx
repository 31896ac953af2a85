"use client";
import { createContext, useContext, type ReactNode } from "react";
import { abilities, type Role } from "@/lib/auth/roles";

export interface PageActor {
  username: string;
  role: Role;
  /** False with FLEETSCOPE_AUTH=off. */
  auth: boolean;
}

const ActorContext = createContext<PageActor | null>(null);

/** The logged-in user, from the root layout, for the components that offer role-bound actions. */
export function ActorProvider({ actor, children }: { actor: PageActor; children: ReactNode }) {
  return <ActorContext.Provider value={actor}>{children}</ActorContext.Provider>;
}

/** The user and what the UI offers them (the server checks again on every request). */
export function useActor() {
  const actor = useContext(ActorContext);
  if (!actor) throw new Error("useActor outside ActorProvider");
  return { ...actor, can: abilities(actor.role) };
}
