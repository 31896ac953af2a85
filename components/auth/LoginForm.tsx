"use client";
import { useState, type FormEvent } from "react";
import { logIn, setUp } from "@/lib/api-client/auth";
import { errorText } from "@/lib/api-client/request";

/** The login form, or with the banner's one-time link (`?setup=`) the form that sets the admin password. */
export function LoginForm({ next, setupToken, notice = null }: { next: string; setupToken: string | null; notice?: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get("password") ?? "");
    if (setupToken && password !== String(form.get("confirm") ?? "")) return setError("the passwords differ");
    setBusy(true);
    setError(null);
    try {
      await (setupToken ? setUp({ token: setupToken, password }) : logIn({ username: String(form.get("username") ?? ""), password }));
    } catch (err) {
      return setError(errorText(err));
    } finally {
      setBusy(false);
    }
    // A full load: the layout renders the header and opens the broker connection for this user.
    window.location.assign(next);
  };

  return (
    <section className="login">
      <h1>Fleetscope</h1>
      {setupToken ? <p>First start: choose the password of the <strong>admin</strong> account.</p> : null}
      {notice && (
        <p className="muted" role="status" data-testid="login-notice">
          {notice}
        </p>
      )}
      <form className="form" onSubmit={(e) => void submit(e)} aria-label={setupToken ? "Set up" : "Log in"}>
        {setupToken ? null : (
          <label>
            Username
            <input name="username" autoComplete="username" required maxLength={64} autoFocus />
          </label>
        )}
        <label>
          Password
          <input name="password" type="password" autoComplete={setupToken ? "new-password" : "current-password"} required minLength={setupToken ? 8 : 1} maxLength={1024} />
        </label>
        {setupToken ? (
          <label>
            Password again
            <input name="confirm" type="password" autoComplete="new-password" required />
          </label>
        ) : null}
        <button type="submit" disabled={busy}>
          {setupToken ? "Create admin and log in" : "Log in"}
        </button>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
