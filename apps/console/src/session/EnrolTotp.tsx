import { FormEvent, useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { api, ApiError, unwrap } from '../api/client';
import { useMessages } from '../i18n/i18n';
import { sessionMessages } from './messages';
import { useSession } from './session';

/** First sign-in: the authenticator secret as a QR code, confirmed by a first code. */
export function EnrolTotp() {
  const t = useMessages(sessionMessages);
  const { session, signedIn } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string; qr: string } | null>(null);
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    unwrap(api.POST('/auth/totp/enrolment'))
      .then(async ({ secret, uri }) => setEnrolment({ secret, uri, qr: await QRCode.toDataURL(uri, { margin: 1 }) }))
      .catch((error: unknown) => setProblem(error instanceof Error ? error.message : String(error)));
  }, []);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    try {
      signedIn(await unwrap(api.POST('/auth/totp/confirm', { body: { code } })));
    } catch (error) {
      setProblem(error instanceof ApiError ? (error.forField('code') ?? error.message) : String(error));
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={(event) => void confirm(event)} aria-labelledby="enrol-title">
        <h1 id="enrol-title">{t('enrolTitle')}</h1>
        <p>{t('enrolIntro')}</p>
        {!enrolment && !problem && <p>{t('loading')}</p>}
        {enrolment && (
          <>
            <img className="qr" src={enrolment.qr} alt={t('qrAlt', { name: session?.user.name ?? '' })} />
            <p>
              {t('secret')}: <code data-testid="totp-secret">{enrolment.secret}</code>
            </p>
          </>
        )}
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        <label htmlFor="enrol-code">{t('code')}</label>
        <input
          id="enrol-code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          required
          value={code}
          onChange={(e) => setCode(e.target.value.trim())}
        />
        <button type="submit" className="primary">
          {t('confirm')}
        </button>
      </form>
    </main>
  );
}
