// Share dialog (DIF-5, DIF-6): guests by email (comma-separated, with a message and a
// confirmation listing every recipient) or an existing user by login.
import { useEffect, useState } from 'preact/hooks';
import { get, post, Share, Study } from '../api';
import { t, errorText } from '../i18n';
import { Dialog, Message, Tabs } from '../components';
import { personName } from '../format';

type Tab = 'guests' | 'user';

export function splitEmails(text: string): string[] {
  return text.split(/[,;\s]+/).map((e) => e.trim()).filter((e) => e);
}

export function ShareDialog({ study, onClose }: { study: Study; onClose: () => void }) {
  const [tab, setTab] = useState<Tab>('guests');
  const [emails, setEmails] = useState('');
  const [login, setLogin] = useState('');
  const [message, setMessage] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [users, setUsers] = useState<string[]>([]);
  const base = `/api/studies/${encodeURIComponent(study.uid)}`;
  const recipients = splitEmails(emails);

  useEffect(() => {
    // Administrators may list accounts; others type the login.
    get<{ users: { login: string; state: string }[] }>('/api/admin/users?state=active')
      .then((r) => setUsers(r.users.map((u) => u.login)))
      .catch(() => setUsers([]));
  }, []);

  function review(e: Event) {
    e.preventDefault();
    setError('');
    if (tab === 'guests' && !recipients.length) return setError(t('share_no_recipient'));
    if (tab === 'user' && !login.trim()) return setError(t('share_no_user'));
    setConfirming(true);
  }

  async function send() {
    setError('');
    try {
      if (tab === 'guests') {
        const r = await post<{ shares: Share[] }>(`${base}/shares`, { recipients: recipients.join(','), message });
        setDone(t('shared_with', { who: r.shares.map((s) => s.recipient).join(', ') }));
      } else {
        const r = await post<Share>(`${base}/shares/user`, { login: login.trim(), message });
        setDone(t('shared_with', { who: r.recipient_login || r.recipient }));
      }
    } catch (err) {
      setError(errorText(err));
    }
    setConfirming(false);
  }

  const who = personName(study.patient.family_name + '^' + study.patient.given_name);
  return (
    <Dialog title={t('share_title', { name: who })} onClose={onClose}>
      {done ? (
        <>
          <Message kind="ok"><span id="share-done">{done}</span></Message>
          <div class="buttons"><button type="button" class="primary" onClick={onClose}>{t('close')}</button></div>
        </>
      ) : confirming ? (
        <div id="share-confirm">
          <p>{t('share_confirm')}</p>
          <ul class="recipients">
            {(tab === 'guests' ? recipients : [login.trim()]).map((r) => <li>{r}</li>)}
          </ul>
          {message && <p class="hint">{t('message')}: {message}</p>}
          <Message kind="error">{error}</Message>
          <div class="buttons">
            <button type="button" class="primary" id="share-confirm-yes" onClick={send}>{t('confirm_share')}</button>
            <button type="button" onClick={() => setConfirming(false)}>{t('back')}</button>
          </div>
        </div>
      ) : (
        <>
          <Tabs label={t('share')} value={tab} onChange={(v) => { setTab(v); setError(''); }}
            tabs={[['guests', t('share_guests')], ['user', t('share_user')]]} />
          <div role="tabpanel" aria-labelledby={'tab-' + tab}><form onSubmit={review} id={'share-' + tab}>
            {tab === 'guests' ? (
              <div class="field">
                <label for="share-emails">{t('share_emails')}<span class="req" aria-hidden="true"> *</span></label>
                <textarea id="share-emails" rows={2} value={emails} aria-describedby="share-emails-hint"
                  onInput={(e) => setEmails((e.target as HTMLTextAreaElement).value)} />
                <small id="share-emails-hint" class="hint">{t('share_emails_hint')}</small>
              </div>
            ) : (
              <div class="field">
                <label for="share-login">{t('login')}<span class="req" aria-hidden="true"> *</span></label>
                <input id="share-login" list="share-users" value={login} onInput={(e) => setLogin((e.target as HTMLInputElement).value)} autoComplete="off" />
                <datalist id="share-users">{users.map((u) => <option value={u} />)}</datalist>
              </div>
            )}
            <div class="field">
              <label for="share-message">{t('message')}</label>
              <textarea id="share-message" rows={3} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} />
            </div>
            <Message kind="error">{error}</Message>
            <div class="buttons">
              <button type="submit" class="primary" id="share-next">{t('share')}</button>
              <button type="button" onClick={onClose}>{t('cancel')}</button>
            </div>
          </form></div>
        </>
      )}
    </Dialog>
  );
}
