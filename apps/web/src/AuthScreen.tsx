import { useId, useState, type FormEvent } from 'react';
import { api } from './api';
import { ApiError, errorMessage } from './problem';
import { csrfToken, session } from './session';

type Mode = 'login' | 'register';

/** A field-level validation problem as a sentence: "/password must NOT have..." -> "Password must NOT have...". */
function describe(error: unknown): string {
  if (error instanceof ApiError && error.problem.errors?.length) {
    return error.problem.errors
      .map(({ pointer, detail }) => {
        const field = pointer.replace(/^\//, '');
        return field ? `${field.charAt(0).toUpperCase()}${field.slice(1)} ${detail}.` : `${detail}.`;
      })
      .join(' ');
  }
  return errorMessage(error);
}

/** Register answers alike for a new and a taken email; a failed login right after it means the email had an account. */
export const ACCOUNT_EXISTS = 'If you already have an account with this email, log in with its password.';

/** The session cookies are Secure: a browser on plain http (not localhost) drops them. */
const INSECURE =
  'The server set its session cookies for HTTPS only, and this page is plain http. Open it over HTTPS, ' +
  'or have the server run with SESSION_COOKIE_SECURE=false (trusted networks only).';

/** Log in, or create an account and then log in; both end in a cookie session. */
export function AuthScreen() {
  const [mode, setMode] = useState<Mode>('login');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const state = session.state();
  const notice = state.status === 'signed-out' ? state.notice : null;
  const ids = { email: useId(), password: useId(), hint: useId(), error: useId() };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'register') {
        await api.register(email.trim(), password);
        try {
          await api.login(email.trim(), password);
        } catch (caught) {
          if (caught instanceof ApiError && caught.status === 401) throw new Error(ACCOUNT_EXISTS);
          throw caught;
        }
      } else {
        await api.login(email.trim(), password);
      }
      if (!csrfToken() && !window.isSecureContext) throw new Error(INSECURE);
      const user = await api.currentUser();
      if (!user) throw new Error(INSECURE);
      session.signIn(user);
    } catch (caught) {
      setError(describe(caught));
      setBusy(false);
    }
  };

  const title = mode === 'login' ? 'Log in' : 'Create an account';
  return (
    <main className="auth">
      <h1 className="brand">Photos</h1>
      <div className="auth-card">
        <div className="auth-tabs" role="group" aria-label="Log in or create an account">
          <button type="button" aria-pressed={mode === 'login'} data-testid="show-login" onClick={() => switchTo('login')}>
            Log in
          </button>
          <button type="button" aria-pressed={mode === 'register'} data-testid="show-register" onClick={() => switchTo('register')}>
            Create account
          </button>
        </div>
        <form onSubmit={submit} aria-labelledby={`${ids.email}-title`} data-testid={`${mode}-form`}>
          <h2 id={`${ids.email}-title`}>{title}</h2>
          {notice && !error && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
          <label htmlFor={ids.email}>Email</label>
          <input
            id={ids.email}
            type="email"
            name="email"
            autoComplete={mode === 'login' ? 'username' : 'email'}
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid={`${mode}-email`}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? ids.error : undefined}
          />
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            type="password"
            name="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : 1}
            maxLength={256}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid={`${mode}-password`}
            aria-invalid={error ? true : undefined}
            aria-describedby={[mode === 'register' ? ids.hint : '', error ? ids.error : ''].filter(Boolean).join(' ') || undefined}
          />
          {mode === 'register' && (
            <p className="hint" id={ids.hint}>
              At least 8 characters.
            </p>
          )}
          {error && (
            <p className="error" role="alert" id={ids.error} data-testid="form-error">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy} data-testid={`${mode}-submit`}>
            {busy ? 'Please wait…' : title}
          </button>
        </form>
      </div>
    </main>
  );
}
