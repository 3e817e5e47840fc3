// The browser app of libportal: sign-in, registration, study list, upload, sharing, profile and
// administration, all over the JSON API of portald (docs/web.md).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, del, put, setCsrf, setOnUnauthenticated, Preferences, SessionInfo } from './api';
import { t, lang, setLang, onLang, Lang } from './i18n';
import { navigate, onRoute, linkClick } from './router';
import { SignIn } from './pages/SignIn';
import { Register, Confirm, LostPassword, ResetPassword } from './pages/Accounts';
import { Studies } from './pages/Studies';
import { Profile } from './pages/Profile';
import { Admin } from './pages/Admin';
import { Shares } from './pages/Shares';
import { loadConfig } from './config';
import './style.css';

const PUBLIC_PAGES = ['/signin', '/register', '/confirm', '/invitation', '/lost-password', '/reset-password'];

function LanguageSwitch({ onChange }: { onChange: (l: Lang) => void }) {
  return (
    <label class="lang">
      <span class="sr-only">{t('language')}</span>
      <select
        id="language-switch"
        value={lang()}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value as Lang)}
      >
        <option value="en">English</option>
        <option value="fr">Français</option>
      </select>
    </label>
  );
}

/** The core lists shares for administrators and radiologists only. */
function mayListShares(s: SessionInfo): boolean {
  return s.profile === 'administrator' || s.profile === 'radiologist';
}

function Header({ session, onSignOut, onLanguage }: { session: SessionInfo | null; onSignOut: () => void; onLanguage: (l: Lang) => void }) {
  const path = location.pathname;
  const nav = (to: string, label: string) => (
    <a href={to} class={path.startsWith(to) ? 'active' : ''} aria-current={path.startsWith(to) ? 'page' : undefined}
       onClick={(e) => linkClick(e, to)}>{label}</a>
  );
  const who = session?.user
    ? `${session.user.first_name} ${session.user.last_name}`.trim() || session.user.login
    : session?.principal === 'patient' ? t('patient') : '';
  return (
    <header class="top">
      <a class="brand" href="/" onClick={(e) => linkClick(e, '/')}>{t('app_name')}</a>
      {session && (
        <nav aria-label={t('main_menu')}>
          {nav('/studies', t('tab_studies'))}
          {mayListShares(session) && nav('/shares', t('tab_shares'))}
          {session.user && nav('/profile', t('tab_profile'))}
          {session.profile === 'administrator' && nav('/admin', t('tab_admin'))}
        </nav>
      )}
      <div class="spacer" />
      <LanguageSwitch onChange={onLanguage} />
      {session && (
        <>
          <span class="who" title={session.profile}>{who}</span>
          <button type="button" class="link" id="sign-out" onClick={onSignOut}>{t('sign_out')}</button>
        </>
      )}
    </header>
  );
}

function App() {
  const [, setTick] = useState(0);
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    const rerender = () => setTick((n) => n + 1);
    const offRoute = onRoute(rerender);
    const offLang = onLang(rerender);
    setOnUnauthenticated(() => {
      setCsrf('');
      setSession(null);
      setNotice(t('session_ended'));
      navigate('/signin', true);
    });
    loadConfig()
      .then(() => get<SessionInfo>('/api/session'))
      .then((s) => adopt(s, false))
      .catch(() => setSession(null))
      .finally(() => setLoading(false));
    return () => {
      offRoute();
      offLang();
    };
  }, []);

  function adopt(s: SessionInfo, fresh: boolean) {
    setCsrf(s.csrf_token || '');
    setSession(s);
    const prefs = s.user?.preferences;
    if (prefs?.language === 'en' || prefs?.language === 'fr') setLang(prefs.language as Lang, false);
    if (fresh || location.pathname === '/' || PUBLIC_PAGES.includes(location.pathname)) {
      const first =
        prefs?.first_tab === 'profile' && s.user ? '/profile'
        : prefs?.first_tab === 'shared' && mayListShares(s) ? '/shares'
        : '/studies';
      navigate(first + (prefs?.first_tab === 'upload' ? '?upload=1' : ''), true);
    }
  }

  // The language chosen in the header is also the account's preference (ACC-5).
  async function changeLanguage(l: Lang) {
    setLang(l);
    if (session?.user) {
      try {
        const p = await put<Preferences>('/api/me/preferences', { language: l });
        setSession({ ...session, user: { ...session.user, preferences: p } });
      } catch {
        /* kept in this browser only */
      }
    }
  }

  async function signOut() {
    try {
      await del('/api/session');
    } catch {
      /* already ended */
    }
    setCsrf('');
    setSession(null);
    navigate('/signin');
  }

  document.title = t('app_name');
  if (loading) return <main class="loading" aria-busy="true">{t('loading')}</main>;

  const path = location.pathname;
  let page;
  if (path === '/register') page = <Register />;
  else if (path === '/invitation') page = <Register invitation />;
  else if (path === '/confirm') page = <Confirm />;
  else if (path === '/lost-password') page = <LostPassword />;
  else if (path === '/reset-password') page = <ResetPassword />;
  else if (!session) {
    if (path !== '/signin') queueMicrotask(() => navigate('/signin', true));
    page = <SignIn notice={notice} onSignedIn={(s) => { setNotice(''); adopt(s, true); }} />;
  } else if (path.startsWith('/profile') && session.user) page = <Profile session={session} onChange={setSession} />;
  else if (path.startsWith('/admin') && session.profile === 'administrator') page = <Admin />;
  else if (path.startsWith('/shares') && mayListShares(session)) page = <Shares />;
  else page = <Studies session={session} />;

  return (
    <>
      <a class="skip" href="#main">{t('skip_to_content')}</a>
      <Header session={session} onSignOut={signOut} onLanguage={changeLanguage} />
      <main id="main" tabIndex={-1}>{page}</main>
    </>
  );
}

document.documentElement.lang = lang();
render(<App />, document.getElementById('app')!);
