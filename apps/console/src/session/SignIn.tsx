import { FormEvent, useState } from 'react';
import { api, ApiError, unwrap } from '../api/client';
import { useMessages } from '../i18n/i18n';
import { sessionMessages } from './messages';
import { useSession } from './session';

/** Name, password and, once enrolled, the authenticator's code. */
export function SignIn() {
  const t = useMessages(sessionMessages);
  const { signedIn, endedBecause } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(endedBecause === 'expired' ? t('expired') : null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      signedIn(await unwrap(api.POST('/auth/sign-in', { body: { name, password, ...(code ? { code } : {}) } })));
    } catch (error) {
      if (error instanceof ApiError && error.status === 429)
        setProblem(t('throttled', { seconds: error.retryAfter ?? 60 }));
      else setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('title')}</h1>
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <label htmlFor="sign-in-name">{t('name')}</label>
        <input
          id="sign-in-name"
          autoComplete="username"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="sign-in-password">{t('password')}</label>
        <input
          id="sign-in-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <label htmlFor="sign-in-code">{t('code')}</label>
        <input
          id="sign-in-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          aria-describedby="sign-in-code-hint"
          value={code}
          onChange={(e) => setCode(e.target.value.trim())}
        />
        <p id="sign-in-code-hint" className="hint">
          {t('codeHint')}
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </main>
  );
}
