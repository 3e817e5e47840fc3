// Registration (ACC-1) with its captcha, invitation registration (ACC-3: the invited email is
// shown and fixed), the email-confirmation landing page, lost password and reset (ACC-4).
import { useEffect, useState } from 'preact/hooks';
import { post } from '../api';
import { t, errorText, lang } from '../i18n';
import { linkClick, queryParam } from '../router';
import { Field, Message, RequiredNote } from '../components';
import { appConfig } from '../config';

function BackToSignIn() {
  return (
    <p class="links">
      <a href="/signin" onClick={(e) => linkClick(e, '/signin')}>{t('back_to_sign_in')}</a>
    </p>
  );
}

export function Register({ invitation }: { invitation?: boolean }) {
  const token = invitation ? queryParam('token') : '';
  const invitedEmail = invitation ? queryParam('email') : '';
  const [f, setF] = useState({
    first_name: '', last_name: '', email: invitedEmail, login: '', phone: '', physician_id: '',
    password: '', password_confirmation: '', captcha_answer: '',
  });
  const [captcha, setCaptcha] = useState<{ id: string; png_base64: string } | null>(null);
  const [captchaOff, setCaptchaOff] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (v: string) => setF({ ...f, [k]: v });

  async function newCaptcha() {
    try {
      setCaptcha(await post('/api/captcha', {}));
    } catch {
      setCaptchaOff(true);
    }
  }
  useEffect(() => {
    if (!invitation && appConfig().captcha_enabled) newCaptcha();
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    if (f.password !== f.password_confirmation) {
      setError(t('passwords_differ'));
      return;
    }
    setBusy(true);
    try {
      const body = { ...f, language: lang(), captcha_id: captcha?.id || '' };
      if (invitation) await post('/api/invitations/accept', { ...body, token });
      else await post('/api/register', body);
      setDone(true);
    } catch (err) {
      setError(errorText(err));
      if (captcha && !captchaOff) newCaptcha();
      setF((old) => ({ ...old, captcha_answer: '' }));
    } finally {
      setBusy(false);
    }
  }

  if (done)
    return (
      <section class="card narrow" aria-live="polite">
        <h1>{invitation ? t('invitation_done_title') : t('register_done_title')}</h1>
        <Message kind="ok">{invitation ? t('invitation_done') : t('register_done')}</Message>
        <BackToSignIn />
      </section>
    );

  return (
    <section class="card" aria-labelledby="register-title">
      <h1 id="register-title">{invitation ? t('invitation_title') : t('register_title')}</h1>
      {invitation && <p>{t('invitation_intro')}</p>}
      {invitation && !token && <Message kind="error">{t('invitation_no_token')}</Message>}
      <RequiredNote />
      <form onSubmit={submit} id="register-form" class="grid2">
        <Field label={t('first_name')} name="first_name" value={f.first_name} onInput={set('first_name')} required autoComplete="given-name" />
        <Field label={t('last_name')} name="last_name" value={f.last_name} onInput={set('last_name')} required autoComplete="family-name" />
        <Field label={t('email')} name="email" type="email" value={f.email} onInput={set('email')} required
          readOnly={invitation && !!invitedEmail} hint={invitation && invitedEmail ? t('email_fixed') : undefined} autoComplete="email" />
        <Field label={t('login')} name="login" value={f.login} onInput={set('login')} required autoComplete="username" hint={t('login_hint')} />
        <Field label={t('phone')} name="phone" type="tel" value={f.phone} onInput={set('phone')} autoComplete="tel" />
        {!invitation && <Field label={t('physician_id')} name="physician_id" value={f.physician_id} onInput={set('physician_id')} hint={t('physician_id_hint')} />}
        <Field label={t('password')} name="password" type="password" value={f.password} onInput={set('password')} required autoComplete="new-password" hint={t('password_rules')} />
        <Field label={t('password_confirmation')} name="password_confirmation" type="password" value={f.password_confirmation} onInput={set('password_confirmation')} required autoComplete="new-password" />
        {!invitation && captcha && !captchaOff && (
          <div class="captcha span2">
            <img src={`data:image/png;base64,${captcha.png_base64}`} alt={t('captcha_alt')} id="captcha-image" />
            <button type="button" class="link" onClick={newCaptcha}>{t('captcha_new')}</button>
            <Field label={t('captcha')} name="captcha_answer" value={f.captcha_answer} onInput={set('captcha_answer')} required
              hint={t('captcha_hint')} autoComplete="off" />
          </div>
        )}
        <div class="span2">
          <Message kind="error">{error}</Message>
          <button type="submit" class="primary" disabled={busy || (invitation && !token)}>{t('register_submit')}</button>
        </div>
      </form>
      <BackToSignIn />
    </section>
  );
}

export function Confirm() {
  const [state, setState] = useState<'busy' | 'ok' | 'error'>('busy');
  const [error, setError] = useState('');
  useEffect(() => {
    const token = queryParam('token');
    if (!token) {
      setState('error');
      setError(t('link_invalid'));
      return;
    }
    post('/api/register/confirm', { token })
      .then(() => setState('ok'))
      .catch((e) => {
        setState('error');
        setError(errorText(e));
      });
  }, []);
  return (
    <section class="card narrow" aria-live="polite">
      <h1>{t('confirm_title')}</h1>
      {state === 'busy' && <p>{t('loading')}</p>}
      {state === 'ok' && <Message kind="ok"><span id="confirm-ok">{t('confirm_ok')}</span></Message>}
      {state === 'error' && <Message kind="error">{error}</Message>}
      <BackToSignIn />
    </section>
  );
}

export function LostPassword() {
  const [login, setLogin] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');
  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    try {
      await post('/api/password/lost', { login: login.trim() });
      setSent(true);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <section class="card narrow">
      <h1>{t('lost_password')}</h1>
      {sent ? (
        <Message kind="ok">{t('lost_password_sent')}</Message>
      ) : (
        <form onSubmit={submit} id="lost-form">
          <p class="hint">{t('lost_password_help')}</p>
          <Field label={t('login_or_email')} name="login" value={login} onInput={setLogin} required autoComplete="username" />
          <Message kind="error">{error}</Message>
          <button type="submit" class="primary">{t('send_link')}</button>
        </form>
      )}
      <BackToSignIn />
    </section>
  );
}

export function ResetPassword() {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');
  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    if (password !== confirm) {
      setError(t('passwords_differ'));
      return;
    }
    try {
      await post('/api/password/reset', { token: queryParam('token'), password });
      setDone(true);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <section class="card narrow">
      <h1>{t('reset_title')}</h1>
      {done ? (
        <Message kind="ok">{t('reset_done')}</Message>
      ) : (
        <form onSubmit={submit} id="reset-form">
          <Field label={t('new_password')} name="password" type="password" value={password} onInput={setPassword} required autoComplete="new-password" hint={t('password_rules')} />
          <Field label={t('password_confirmation')} name="password_confirmation" type="password" value={confirm} onInput={setConfirm} required autoComplete="new-password" />
          <Message kind="error">{error}</Message>
          <button type="submit" class="primary">{t('reset_submit')}</button>
        </form>
      )}
      <BackToSignIn />
    </section>
  );
}
