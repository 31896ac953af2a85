import type { UserRecord } from "../store/users";

/** What the API shows of a user: never the hash. */
export const publicUser = (u: UserRecord) => ({ username: u.username, role: u.role, disabled: u.disabled, createdAt: u.createdAt, updatedAt: u.updatedAt });
