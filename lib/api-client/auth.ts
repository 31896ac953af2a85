/**
 * Sessions and users: logging in and out, the first admin's password, the users an admin
 * manages, and the short-lived broker credentials a tab connects with.
 */
import type { z } from "zod";
import type { loginBody, newUserBody, setupBody, userPatchBody } from "../auth/requests";
import type { publicUser } from "../http/public-user";
import type { Actor } from "../auth/roles";
import { apiRequest } from "./request";
import { segment } from "./query";

export type ListedUser = ReturnType<typeof publicUser>;

export const logIn = (body: z.input<typeof loginBody>) => apiRequest<Actor>("/api/auth/login", { method: "POST", body });

/** The banner's one-time token sets the admin's password, and logs in. */
export const setUp = (body: z.input<typeof setupBody>) => apiRequest<Actor>("/api/auth/setup", { method: "POST", body });

export const logOut = () => apiRequest<{ ok: true }>("/api/auth/logout", { method: "POST" });

export const listUsers = () => apiRequest<{ users: ListedUser[] }>("/api/users");

export const addUser = (body: z.input<typeof newUserBody>) => apiRequest<ListedUser>("/api/users", { method: "POST", body });

export const changeUser = (username: string, body: z.input<typeof userPatchBody>) => apiRequest<ListedUser>(`/api/users/${segment(username)}`, { method: "PATCH", body });

/** Fresh before every connect (never cached): the token is short-lived. Nulls with auth off and no broker login configured. */
export const getBrokerToken = () => apiRequest<{ username: string | null; password: string | null; expiresAt: number | null }>("/api/auth/broker-token", { cache: "no-store" });
