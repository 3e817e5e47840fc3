// Every share (LIST-7, DIF-5, DIF-6) for the profiles that may list them (administrators and
// radiologists): recipient, author, dates, state; active shares can be revoked.
import { useEffect, useState } from 'preact/hooks';
import { del, get, Share } from '../api';
import { t, errorText } from '../i18n';
import { Message } from '../components';
import { isoDate } from '../format';

export function Shares() {
  const [shares, setShares] = useState<Share[] | null>(null);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [activeOnly, setActiveOnly] = useState(true);
  async function load() {
    try {
      setShares((await get<{ shares: Share[] }>('/api/shares')).shares.reverse());
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e) });
    }
  }
  useEffect(() => {
    load();
  }, []);
  async function revoke(id: number) {
    try {
      await del(`/api/shares/${id}`);
      setMsg({ kind: 'ok', text: t('share_revoked') });
      load();
    } catch (e) {
      setMsg({ kind: 'error', text: errorText(e) });
    }
  }
  const list = (shares || []).filter((s) => !activeOnly || s.active);
  return (
    <section aria-labelledby="shares-title">
      <h1 id="shares-title">{t('tab_shares')}</h1>
      <label class="check">
        <input type="checkbox" id="shares-active-only" checked={activeOnly} onChange={(e) => setActiveOnly((e.target as HTMLInputElement).checked)} />
        {t('active_shares_only')}
      </label>
      {msg && <Message kind={msg.kind}>{msg.text}</Message>}
      {shares && <p class="hint">{t('shares_count', { n: list.length })}</p>}
      <div class="table-wrap">
        <table class="small" id="all-shares-table">
          <thead><tr>
            <th scope="col">{t('when')}</th><th scope="col">{t('recipient')}</th><th scope="col">{t('shared_by')}</th>
            <th scope="col">{t('study_uid')}</th><th scope="col">{t('expires')}</th><th scope="col">{t('state')}</th>
            <th scope="col"><span class="sr-only">{t('actions')}</span></th>
          </tr></thead>
          <tbody>
            {list.map((x) => (
              <tr data-id={x.id}>
                <td>{isoDate(x.created_at)}</td>
                <td>{x.recipient_login || x.recipient}</td>
                <td>{x.shared_by}</td>
                <td class="uid">{x.study_uid}</td>
                <td>{isoDate(x.expires_at)}</td>
                <td>{x.active ? (x.pending ? t('share_pending') : t('share_active')) : t('share_ended')}</td>
                <td>{x.active && <button type="button" class="link" onClick={() => revoke(x.id)}>{t('revoke')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
