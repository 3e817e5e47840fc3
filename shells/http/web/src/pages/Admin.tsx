// Administration (ACC-7, PLAT-3, DIF-8): pending accounts, users (activate, disable, profile,
// referring physician link), profiles and rights, audit search, mail outbox.
import { useEffect, useState } from 'preact/hooks';
import { del, get, post, put, User } from '../api';
import { t, errorText } from '../i18n';
import { Message, Tabs } from '../components';
import { isoDate } from '../format';

type Tab = 'pending' | 'users' | 'profiles' | 'audit' | 'mail';
const PROFILES = ['administrator', 'radiologist', 'referring_physician', 'guest', 'patient'];

export function Admin() {
  const [tab, setTab] = useState<Tab>(() => (new URLSearchParams(location.search).get('tab') as Tab) || 'pending');
  return (
    <div class="admin">
      <h1>{t('tab_admin')}</h1>
      <Tabs label={t('tab_admin')} value={tab} onChange={setTab}
        tabs={[['pending', t('admin_pending')], ['users', t('admin_users')], ['profiles', t('admin_profiles')], ['audit', t('admin_audit')], ['mail', t('admin_mail')]]} />
      <div role="tabpanel" aria-labelledby={'tab-' + tab} id={'admin-' + tab}>
        {tab === 'pending' && <Users pending />}
        {tab === 'users' && <Users />}
        {tab === 'profiles' && <Profiles />}
        {tab === 'audit' && <Audit />}
        {tab === 'mail' && <Mail />}
      </div>
    </div>
  );
}

function Users({ pending }: { pending?: boolean }) {
  const [users, setUsers] = useState<User[]>([]);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [state, setState] = useState(pending ? 'awaiting_activation' : '');
  const [link, setLink] = useState<{ login: string; physician_id: string; referring_name: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [nu, setNu] = useState({ login: '', email: '', first_name: '', last_name: '', profile: 'referring_physician', password: '' });

  async function load() {
    try {
      const r = await get<{ users: User[] }>('/api/admin/users' + (state ? '?state=' + state : ''));
      setUsers(r.users);
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e) });
    }
  }
  useEffect(() => {
    load();
  }, [state]);

  async function act(f: () => Promise<unknown>, ok: string) {
    try {
      await f();
      setMsg({ kind: 'ok', text: ok });
      load();
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e) });
      throw e;
    }
  }
  const base = (login: string) => `/api/admin/users/${encodeURIComponent(login)}`;

  return (
    <section>
      {!pending && (
        <div class="field inline">
          <label for="user-state">{t('state')}</label>
          <select id="user-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="">{t('any')}</option>
            {['awaiting_confirmation', 'awaiting_activation', 'active', 'disabled'].map((s) => <option value={s}>{t('state_' + s)}</option>)}
          </select>
        </div>
      )}
      {!pending && !adding && <button type="button" id="add-user" onClick={() => setAdding(true)}>{t('add_user')}</button>}
      {adding && (
        <form class="card" id="add-user-form" onSubmit={(e) => {
          e.preventDefault();
          act(() => post('/api/admin/users', { ...nu, emails: [nu.email] }), t('user_added', { login: nu.login }))
            .then(() => setAdding(false), () => {});
        }}>
          <h3>{t('add_user')}</h3>
          <div class="grid2">
            {(['login', 'email', 'first_name', 'last_name'] as const).map((k) => (
              <div class="field"><label for={'nu-' + k}>{t(k)}<span class="req" aria-hidden="true"> *</span></label>
                <input id={'nu-' + k} required type={(k === 'email' ? 'email' : 'text') as any} value={nu[k]}
                  onInput={(e) => setNu({ ...nu, [k]: (e.target as HTMLInputElement).value })} /></div>
            ))}
            <div class="field"><label for="nu-profile">{t('profile')}</label>
              <select id="nu-profile" value={nu.profile} onChange={(e) => setNu({ ...nu, profile: (e.target as HTMLSelectElement).value })}>
                {PROFILES.filter((p) => p !== 'patient').map((p) => <option value={p}>{t('profile_' + p)}</option>)}
              </select></div>
            <div class="field"><label for="nu-password">{t('password')}<span class="req" aria-hidden="true"> *</span></label>
              <input id="nu-password" type="password" required autoComplete="new-password" value={nu.password}
                onInput={(e) => setNu({ ...nu, password: (e.target as HTMLInputElement).value })} />
              <small class="hint">{t('password_rules')}</small></div>
          </div>
          <div class="buttons"><button type="submit" class="primary">{t('save')}</button><button type="button" onClick={() => setAdding(false)}>{t('cancel')}</button></div>
        </form>
      )}
      {msg && <Message kind={msg.kind}>{msg.text}</Message>}
      {pending && !users.length && <p class="hint" id="no-pending">{t('no_pending')}</p>}
      <div class="table-wrap">
        <table class="small" id={pending ? 'pending-table' : 'users-table'}>
          <thead><tr>
            <th scope="col">{t('login')}</th><th scope="col">{t('name')}</th><th scope="col">{t('emails')}</th>
            <th scope="col">{t('physician_id')}</th><th scope="col">{t('profile')}</th><th scope="col">{t('state')}</th>
            <th scope="col">{t('actions')}</th>
          </tr></thead>
          <tbody>
            {users.map((u) => (
              <tr data-login={u.login}>
                <td>{u.login}</td>
                <td>{u.first_name} {u.last_name}</td>
                <td>{u.emails.join(', ')}</td>
                <td>{u.physician_id}{u.linked_physician_id && ` → ${u.linked_physician_id}`}{u.referring_name && ` (${u.referring_name})`}</td>
                <td>
                  <label class="sr-only" for={'profile-' + u.login}>{t('profile')}</label>
                  <select id={'profile-' + u.login} value={u.profile}
                    onChange={(e) => act(() => put(base(u.login) + '/profile', { profile: (e.target as HTMLSelectElement).value }), t('saved')).catch(() => {})}>
                    {PROFILES.map((p) => <option value={p}>{t('profile_' + p)}</option>)}
                  </select>
                </td>
                <td>{t('state_' + u.state)}</td>
                <td class="row-actions">
                  {u.state !== 'active' && (
                    <button type="button" class="activate" onClick={() => act(() => post(base(u.login) + '/activate'), t('user_activated', { login: u.login })).catch(() => {})}>{t('activate')}</button>
                  )}
                  {u.state !== 'disabled' && (
                    <button type="button" onClick={() => act(() => post(base(u.login) + '/disable'), t('user_disabled', { login: u.login })).catch(() => {})}>{t('deactivate')}</button>
                  )}
                  {u.profile === 'referring_physician' && (
                    <button type="button" class="link" onClick={() => setLink({ login: u.login, physician_id: u.linked_physician_id || u.physician_id, referring_name: u.referring_name })}>{t('link_physician')}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {link && (
        <form class="card" id="link-form" onSubmit={(e) => {
          e.preventDefault();
          act(() => put(base(link.login) + '/physician', { physician_id: link.physician_id, referring_name: link.referring_name }), t('saved')).catch(() => {});
          setLink(null);
        }}>
          <h3>{t('link_physician_of', { login: link.login })}</h3>
          <p class="hint">{t('link_physician_help')}</p>
          <div class="grid2">
            <div class="field"><label for="link-id">{t('physician_id')}</label>
              <input id="link-id" value={link.physician_id} onInput={(e) => setLink({ ...link, physician_id: (e.target as HTMLInputElement).value })} /></div>
            <div class="field"><label for="link-name">{t('referring_name')}</label>
              <input id="link-name" value={link.referring_name} placeholder="FAMILY^GIVEN" onInput={(e) => setLink({ ...link, referring_name: (e.target as HTMLInputElement).value })} /></div>
          </div>
          <div class="buttons"><button type="submit" class="primary">{t('save')}</button><button type="button" onClick={() => setLink(null)}>{t('cancel')}</button></div>
        </form>
      )}
    </section>
  );
}

function Profiles() {
  const [profiles, setProfiles] = useState<{ name: string; rights: string[] }[]>([]);
  const [known, setKnown] = useState<string[]>([]);
  const [error, setError] = useState('');
  async function load() {
    try {
      const r = await get<{ profiles: { name: string; rights: string[] }[]; known_rights: string[] }>('/api/admin/profiles');
      setProfiles(r.profiles);
      setKnown(r.known_rights);
    } catch (e) {
      setError(errorText(e));
    }
  }
  useEffect(() => {
    load();
  }, []);
  async function toggle(profile: string, right: string, on: boolean) {
    try {
      const path = `/api/admin/profiles/${encodeURIComponent(profile)}/rights/${encodeURIComponent(right)}`;
      if (on) await put(path);
      else await del(path);
      load();
    } catch (e) {
      setError(errorText(e));
    }
  }
  return (
    <section>
      <Message kind="error">{error}</Message>
      <div class="table-wrap">
        <table class="small rights" id="rights-table">
          <thead><tr><th scope="col">{t('right')}</th>{profiles.map((p) => <th scope="col">{t('profile_' + p.name)}</th>)}</tr></thead>
          <tbody>
            {known.map((r) => (
              <tr>
                <th scope="row">{r}</th>
                {profiles.map((p) => (
                  <td><input type="checkbox" aria-label={`${r} — ${t('profile_' + p.name)}`} checked={p.rights.includes(r)}
                    onChange={(e) => toggle(p.name, r, (e.target as HTMLInputElement).checked)} /></td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface AuditEvent { id: number; at: string; login: string; profile: string; address: string; action: string; study_uid: string; patient_id: string; outcome: string; detail: string }

function Audit() {
  const [q, setQ] = useState({ login: '', action: '', study_uid: '', patient_id: '', outcome: '', from: '', to: '' });
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState('');
  async function search(e?: Event) {
    e?.preventDefault();
    setError('');
    const p = new URLSearchParams();
    Object.entries(q).forEach(([k, v]) => v.trim() && p.set(k, v.trim()));
    p.set('limit', '500');
    try {
      setEvents((await get<{ events: AuditEvent[] }>('/api/admin/audit?' + p)).events);
    } catch (err) {
      setError(errorText(err));
    }
  }
  useEffect(() => {
    search();
  }, []);
  const input = (k: keyof typeof q, label: string, type = 'text') => (
    <div class="field"><label for={'audit-' + k}>{label}</label>
      <input id={'audit-' + k} type={type as any} value={q[k]} onInput={(e) => setQ({ ...q, [k]: (e.target as HTMLInputElement).value })} /></div>
  );
  return (
    <section>
      <form class="filters" onSubmit={search} id="audit-form">
        {input('login', t('login'))}
        {input('action', t('audit_action'))}
        {input('study_uid', t('study_uid'))}
        {input('patient_id', t('patient_id'))}
        <div class="field"><label for="audit-outcome">{t('audit_outcome')}</label>
          <select id="audit-outcome" value={q.outcome} onChange={(e) => setQ({ ...q, outcome: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('any')}</option><option value="success">success</option><option value="failure">failure</option>
            <option value="denied">denied</option><option value="locked">locked</option>
          </select></div>
        {input('from', t('date_from'), 'date')}
        {input('to', t('date_to'), 'date')}
        <div class="buttons"><button type="submit" class="primary">{t('search')}</button></div>
      </form>
      <Message kind="error">{error}</Message>
      {events && <p class="hint">{t('events_count', { n: events.length })}</p>}
      <div class="table-wrap">
        <table class="small" id="audit-table">
          <thead><tr><th scope="col">{t('when')}</th><th scope="col">{t('login')}</th><th scope="col">{t('address')}</th><th scope="col">{t('audit_action')}</th><th scope="col">{t('audit_outcome')}</th><th scope="col">{t('study_uid')}</th><th scope="col">{t('detail')}</th></tr></thead>
          <tbody>{(events || []).map((e) => <tr><td>{isoDate(e.at)}</td><td>{e.login}</td><td>{e.address}</td><td>{e.action}</td><td>{e.outcome}</td><td class="uid">{e.study_uid}</td><td>{e.detail}</td></tr>)}</tbody>
        </table>
      </div>
    </section>
  );
}

interface Mail { id: number; to: string; subject: string; kind: string; status: string; attempts: number; next_attempt_at: string; last_error: string; created_at: string; sent_at: string }

function Mail() {
  const [status, setStatus] = useState('');
  const [list, setList] = useState<Mail[]>([]);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  async function load() {
    try {
      setList((await get<{ messages: Mail[] }>('/api/admin/mail' + (status ? '?status=' + status : ''))).messages);
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e) });
    }
  }
  useEffect(() => {
    load();
  }, [status]);
  async function retry(id: number) {
    try {
      await post(`/api/admin/mail/${id}/retry`);
      setMsg({ kind: 'ok', text: t('mail_retry_scheduled') });
      load();
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e) });
    }
  }
  return (
    <section>
      <div class="field inline"><label for="mail-status">{t('state')}</label>
        <select id="mail-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          <option value="">{t('any')}</option>
          {['pending', 'sent', 'failed'].map((s) => <option value={s}>{t('mail_' + s)}</option>)}
        </select></div>
      {msg && <Message kind={msg.kind}>{msg.text}</Message>}
      <div class="table-wrap">
        <table class="small" id="mail-table">
          <thead><tr><th scope="col">{t('when')}</th><th scope="col">{t('recipient')}</th><th scope="col">{t('subject')}</th><th scope="col">{t('state')}</th><th scope="col">{t('attempts')}</th><th scope="col">{t('last_error')}</th><th scope="col"><span class="sr-only">{t('actions')}</span></th></tr></thead>
          <tbody>{list.map((m) => (
            <tr><td>{isoDate(m.created_at)}</td><td>{m.to}</td><td>{m.subject}</td><td>{t('mail_' + m.status)}</td><td>{m.attempts}</td><td>{m.last_error}</td>
              <td>{m.status !== 'sent' && <button type="button" class="link" onClick={() => retry(m.id)}>{t('retry')}</button>}</td></tr>
          ))}</tbody>
        </table>
      </div>
    </section>
  );
}
