"use client";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { z } from "zod";
import { ROLES, type Role } from "@/lib/auth/roles";
import type { userPatchBody } from "@/lib/auth/requests";
import { addUser, changeUser, listUsers, type ListedUser } from "@/lib/api-client/auth";
import { errorText, isApiRefusal } from "@/lib/api-client/request";
import { useActor } from "./ActorProvider";

/** Null when it was done, else why not. */
const failure = (p: Promise<unknown>): Promise<string | null> => p.then(() => null, errorText);

/** Admins add users, change roles, disable and enable them, and reset passwords. */
export function UsersAdmin() {
  const { auth, can } = useActor();
  const [users, setUsers] = useState<ListedUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setUsers((await listUsers()).users);
    } catch (err) {
      setError(isApiRefusal(err) ? err.message : "could not list users");
    }
  }, []);
  useEffect(() => {
    if (auth && can.manageUsers) void load();
  }, [auth, can.manageUsers, load]);
  if (!auth || !can.manageUsers) return null;

  const act = async (what: string, p: Promise<string | null>) => {
    const err = await p;
    setError(err);
    setNote(err ? null : what);
    if (!err) await load();
  };
  const add = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const username = String(f.get("username") ?? "");
    const form = e.currentTarget;
    void act(`added ${username}`, failure(addUser({ username, password: String(f.get("password") ?? ""), role: String(f.get("role") ?? "viewer") as Role }))).then(() => form.reset());
  };
  const patch = (u: string, body: z.input<typeof userPatchBody>, what: string) => void act(what, failure(changeUser(u, body)));

  return (
    <section aria-label="Users">
      <h2>Users</h2>
      {users ? (
        <table className="users">
          <thead>
            <tr>
              <th>user</th>
              <th>role</th>
              <th>state</th>
              <th>password</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.username} data-testid={`user-${u.username}`}>
                <td>{u.username}</td>
                <td>
                  <select aria-label={`role of ${u.username}`} value={u.role} onChange={(e) => patch(u.username, { role: e.target.value as Role }, `${u.username} is now ${e.target.value}`)}>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" onClick={() => patch(u.username, { disabled: !u.disabled }, `${u.username} ${u.disabled ? "enabled" : "disabled"}`)}>
                    {u.disabled ? "Enable" : "Disable"}
                  </button>{" "}
                  <span className="muted small">{u.disabled ? "disabled" : "active"}</span>
                </td>
                <td>
                  <form
                    onSubmit={(e) => {
                      e.preventDefault();
                      const input = e.currentTarget.elements.namedItem("password");
                      if (input instanceof HTMLInputElement) patch(u.username, { password: input.value }, `new password for ${u.username}`);
                      e.currentTarget.reset();
                    }}
                  >
                    <input name="password" type="password" autoComplete="new-password" minLength={8} required aria-label={`new password for ${u.username}`} placeholder="new password" />{" "}
                    <button type="submit">Reset</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Loading users…</p>
      )}
      <h3>Add a user</h3>
      <form className="form" onSubmit={add} aria-label="Add a user">
        <label>
          Username
          <input name="username" required pattern="[A-Za-z0-9_.\-]{1,64}" autoComplete="off" />
        </label>
        <label>
          Password
          <input name="password" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit">Add user</button>
      </form>
      <p role="status" className="small">
        {error ? <span className="error">{error}</span> : note}
      </p>
    </section>
  );
}
