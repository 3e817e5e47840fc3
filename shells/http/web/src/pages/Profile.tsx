// Profile and preferences (ACC-5): personal information, emails, password change; language,
// first tab after sign-in, default period.
import { useState } from 'preact/hooks';
import { patch, post, put, Preferences, SessionInfo, User } from '../api';
import { t, errorText, setLang, Lang } from '../i18n';
import { Field, Message, RequiredNote } from '../components';

export function Profile({ session, onChange }: { session: SessionInfo; onChange: (s: SessionInfo) => void }) {
  const user = session.user!;
  const [info, setInfo] = useState({
    first_name: user.first_name, last_name: user.last_name, phone: user.phone,
    physician_id: user.physician_id, emails: user.emails.join(', '),
  });
  const [prefs, setPrefs] = useState<Preferences>({ ...user.preferences });
  const [pw, setPw] = useState({ current: '', next: '', confirm: '' });
  const [msg, setMsg] = useState<{ part: string; kind: 'ok' | 'error'; text: string } | null>(null);
  const setI = (k: keyof typeof info) => (v: string) => setInfo({ ...info, [k]: v });

  const say = (part: string, kind: 'ok' | 'error', text: string) => setMsg({ part, kind, text });
  const shown = (part: string) => (msg && msg.part === part ? <Message kind={msg.kind}>{msg.text}</Message> : null);

  async function saveInfo(e: Event) {
    e.preventDefault();
    try {
      const u = await patch<User>('/api/me', {
        first_name: info.first_name, last_name: info.last_name, phone: info.phone, physician_id: info.physician_id,
        emails: info.emails.split(/[,;\s]+/).filter((x) => x),
      });
      onChange({ ...session, user: u });
      say('info', 'ok', t('saved'));
    } catch (err) {
      say('info', 'error', errorText(err));
    }
  }

  async function savePrefs(e: Event) {
    e.preventDefault();
    try {
      const p = await put<Preferences>('/api/me/preferences', {
        language: prefs.language, first_tab: prefs.first_tab, default_period: prefs.default_period,
      });
      onChange({ ...session, user: { ...user, preferences: p } });
      if (p.language === 'en' || p.language === 'fr') setLang(p.language as Lang);
      say('prefs', 'ok', t('saved'));
    } catch (err) {
      say('prefs', 'error', errorText(err));
    }
  }

  async function changePassword(e: Event) {
    e.preventDefault();
    if (pw.next !== pw.confirm) return say('pw', 'error', t('passwords_differ'));
    try {
      await post('/api/me/password', { current_password: pw.current, new_password: pw.next });
      setPw({ current: '', next: '', confirm: '' });
      say('pw', 'ok', t('password_changed'));
    } catch (err) {
      say('pw', 'error', errorText(err));
    }
  }

  const select = (id: string, label: string, value: string, options: [string, string][], on: (v: string) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => on((e.target as HTMLSelectElement).value)}>
        {options.map(([v, text]) => <option value={v}>{text}</option>)}
      </select>
    </div>
  );

  return (
    <div class="profile">
      <h1>{t('tab_profile')}</h1>
      <section class="card" aria-labelledby="pref-title">
        <h2 id="pref-title">{t('preferences')}</h2>
        <form onSubmit={savePrefs} id="prefs-form" class="grid2">
          {select('pref-language', t('language'), prefs.language, [['en', 'English'], ['fr', 'Français']], (v) => setPrefs({ ...prefs, language: v }))}
          {select('pref-first-tab', t('first_tab'), prefs.first_tab, [['studies', t('tab_studies')], ['shared', t('tab_shares')], ['upload', t('upload')], ['profile', t('tab_profile')]], (v) => setPrefs({ ...prefs, first_tab: v }))}
          {select('pref-period', t('default_period'), prefs.default_period, ['today', 'yesterday', '7d', '30d', 'all'].map((p) => [p, t('period_' + p)] as [string, string]), (v) => setPrefs({ ...prefs, default_period: v }))}
          <div class="span2">{shown('prefs')}<button type="submit" class="primary">{t('save')}</button></div>
        </form>
      </section>
      <section class="card" aria-labelledby="info-title">
        <h2 id="info-title">{t('personal_info')}</h2>
        <p class="hint">{t('login')}: <strong>{user.login}</strong> · {t('profile')}: {user.profile}</p>
        <RequiredNote />
        <form onSubmit={saveInfo} id="info-form" class="grid2">
          <Field label={t('first_name')} name="first_name" value={info.first_name} onInput={setI('first_name')} required />
          <Field label={t('last_name')} name="last_name" value={info.last_name} onInput={setI('last_name')} required />
          <Field label={t('phone')} name="phone" value={info.phone} onInput={setI('phone')} type="tel" />
          <Field label={t('physician_id')} name="physician_id" value={info.physician_id} onInput={setI('physician_id')} />
          <Field label={t('emails')} name="emails" value={info.emails} onInput={setI('emails')} required hint={t('emails_hint')} />
          <div class="span2">{shown('info')}<button type="submit" class="primary">{t('save')}</button></div>
        </form>
      </section>
      <section class="card" aria-labelledby="pw-title">
        <h2 id="pw-title">{t('change_password')}</h2>
        <form onSubmit={changePassword} id="password-form" class="grid2">
          <Field label={t('current_password')} name="current_password" type="password" value={pw.current} onInput={(v) => setPw({ ...pw, current: v })} required autoComplete="current-password" />
          <span />
          <Field label={t('new_password')} name="new_password" type="password" value={pw.next} onInput={(v) => setPw({ ...pw, next: v })} required autoComplete="new-password" hint={t('password_rules')} />
          <Field label={t('password_confirmation')} name="password_confirmation" type="password" value={pw.confirm} onInput={(v) => setPw({ ...pw, confirm: v })} required autoComplete="new-password" />
          <div class="span2">{shown('pw')}<button type="submit" class="primary">{t('change_password')}</button></div>
        </form>
      </section>
    </div>
  );
}
