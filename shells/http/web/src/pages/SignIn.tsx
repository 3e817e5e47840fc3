// Sign-in (ACC-1, ACC-2, ACC-3): professionals and guests with login or email + password;
// patients with an accession number and their birth date.
import { useState } from 'preact/hooks';
import { post, SessionInfo } from '../api';
import { t, errorText } from '../i18n';
import { linkClick } from '../router';
import { Field, Message, Tabs } from '../components';
import { appConfig } from '../config';

type Mode = 'user' | 'patient';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (s: SessionInfo) => void; notice?: string }) {
  const [mode, setMode] = useState<Mode>('user');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [accession, setAccession] = useState('');
  const [birth, setBirth] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setBusy(true);
    // The benchmark's start mark (benchmarks/web_list.mjs): sign-in asked.
    performance.clearMarks('portal-sign-in-start');
    performance.mark('portal-sign-in-start');
    try {
      const s =
        mode === 'user'
          ? await post<SessionInfo>('/api/session', { login: login.trim(), password })
          : await post<SessionInfo>('/api/session/patient', {
              accession: accession.trim(),
              birth_date: birth.replace(/[^0-9]/g, ''),
              access_code: code.trim(),
            });
      onSignedIn(s);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('sign_in_title')}</h1>
      {notice && <Message kind="info">{notice}</Message>}
      <Tabs label={t('sign_in_title')} value={mode} onChange={(m) => { setMode(m); setError(''); }}
        tabs={[['user', t('sign_in_professional')], ['patient', t('sign_in_patient')]]} />
      <div role="tabpanel" aria-labelledby={`tab-${mode}`}><form onSubmit={submit} id={`signin-${mode}`}>
        {mode === 'user' ? (
          <>
            <Field label={t('login_or_email')} name="login" value={login} onInput={setLogin} required autoComplete="username" />
            <Field label={t('password')} name="password" type="password" value={password} onInput={setPassword} required autoComplete="current-password" />
          </>
        ) : (
          <>
            <p class="hint">{t('patient_sign_in_help')}</p>
            <Field label={t('accession_number')} name="accession" value={accession} onInput={setAccession} required autoComplete="off" />
            <Field label={t('birth_date')} name="birth_date" value={birth} onInput={setBirth} required
              inputMode="numeric" placeholder={t('birth_date_placeholder')} hint={t('birth_date_format')} autoComplete="bday" />
            {appConfig().patient_access_code && (
              <Field label={t('access_code')} name="access_code" value={code} onInput={setCode} required hint={t('access_code_hint')} autoComplete="off" />
            )}
          </>
        )}
        <Message kind="error">{error}</Message>
        <button type="submit" class="primary" disabled={busy}>{busy ? t('signing_in') : t('sign_in')}</button>
      </form></div>
      <p class="links">
        <a href="/register" onClick={(e) => linkClick(e, '/register')}>{t('create_account')}</a>
        {' · '}
        <a href="/lost-password" onClick={(e) => linkClick(e, '/lost-password')}>{t('lost_password')}</a>
      </p>
    </section>
  );
}
