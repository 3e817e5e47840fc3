// Study and patient information (LIST-7) with the shares for profiles that may share, and the
// patient history (the same patient's other studies this user may see).
import { useEffect, useState } from 'preact/hooks';
import { del, get, Share, Study } from '../api';
import { t, errorText } from '../i18n';
import { Dialog, Message } from '../components';
import { ageYears, bytes, dicomDate, dicomTime, isoDate, personName } from '../format';

interface Series {
  uid: string;
  modality: string;
  number: number;
  description: string;
  body_part: string;
  num_instances: number;
}

export function StudyInfoDialog({ study, profile, onClose }: { study: Study; profile: string; onClose: () => void }) {
  const [s, setS] = useState<Study>(study);
  const [series, setSeries] = useState<Series[]>([]);
  const [shares, setShares] = useState<Share[] | null>(null);
  const [error, setError] = useState('');
  const base = `/api/studies/${encodeURIComponent(study.uid)}`;

  async function load() {
    try {
      setS(await get<Study>(base));
      setSeries((await get<{ series: Series[] }>(`${base}/series`)).series);
      // The core lists shares for administrators and radiologists (LIST-7, privileged profiles).
      if (profile === 'administrator' || profile === 'radiologist')
        setShares((await get<{ shares: Share[] }>(`${base}/shares`)).shares);
    } catch (e) {
      setError(errorText(e));
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function revoke(id: number) {
    try {
      await del(`/api/shares/${id}`);
      load();
    } catch (e) {
      setError(errorText(e));
    }
  }

  const age = ageYears(s.patient.birth_date, s.date);
  const row = (label: string, value: preact.ComponentChildren) => (value ? <><dt>{label}</dt><dd>{value}</dd></> : null);
  return (
    <Dialog title={t('study_info')} onClose={onClose} wide>
      <Message kind="error">{error}</Message>
      <div class="grid2">
        <section>
          <h3>{t('patient')}</h3>
          <dl>
            {row(t('col_patient_name'), personName(s.patient.family_name + '^' + s.patient.given_name))}
            {row(t('birth_date'), s.patient.birth_date && `${dicomDate(s.patient.birth_date)}${age !== null ? ' (' + t('age_years', { n: age }) + ')' : ''}`)}
            {row(t('sex'), s.patient.sex)}
            {row(t('patient_id'), s.patient.patient_id)}
          </dl>
        </section>
        <section>
          <h3>{t('study')}</h3>
          <dl>
            {row(t('col_description'), s.description)}
            {row(t('col_date'), `${dicomDate(s.date)} ${dicomTime(s.time)}`.trim())}
            {row(t('accession_number'), s.accession)}
            {row(t('col_modalities'), s.modalities.join(', '))}
            {row(t('col_referring'), personName(s.referring_physician))}
            {row(t('col_performing'), personName(s.performing_physician))}
            {row(t('col_site'), s.institution)}
            {row(t('col_repository'), s.repository)}
            {row(t('size'), `${s.num_series} ${t('series')}, ${s.num_instances} ${t('instances')}, ${bytes(s.size_bytes)}`)}
            {row(t('received_at'), isoDate(s.received_at))}
            {s.notification_error && row(t('email_error'), s.notification_error)}
          </dl>
        </section>
      </div>
      <h3>{t('series')}</h3>
      <table class="small">
        <thead><tr><th scope="col">#</th><th scope="col">{t('modality')}</th><th scope="col">{t('col_description')}</th><th scope="col">{t('instances')}</th></tr></thead>
        <tbody>{series.map((x) => <tr><td>{x.number}</td><td>{x.modality}</td><td>{x.description}</td><td>{x.num_instances}</td></tr>)}</tbody>
      </table>
      {shares && (
        <>
          <h3>{t('shares')}</h3>
          {!shares.length ? <p class="hint">{t('no_shares')}</p> : (
            <table class="small" id="shares-table">
              <thead><tr><th scope="col">{t('recipient')}</th><th scope="col">{t('shared_by')}</th><th scope="col">{t('expires')}</th><th scope="col">{t('state')}</th><th scope="col"><span class="sr-only">{t('actions')}</span></th></tr></thead>
              <tbody>
                {shares.map((x) => (
                  <tr>
                    <td>{x.recipient_login || x.recipient}</td>
                    <td>{x.shared_by}</td>
                    <td>{isoDate(x.expires_at)}</td>
                    <td>{x.active ? (x.pending ? t('share_pending') : t('share_active')) : t('share_ended')}</td>
                    <td>{x.active && <button type="button" class="link" onClick={() => revoke(x.id)}>{t('revoke')}</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Dialog>
  );
}

export function HistoryDialog({ study, onClose }: { study: Study; onClose: () => void }) {
  const [list, setList] = useState<Study[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    get<{ studies: Study[] }>(`/api/studies/${encodeURIComponent(study.uid)}/history`)
      .then((r) => setList(r.studies))
      .catch((e) => setError(errorText(e)));
  }, []);
  return (
    <Dialog title={t('history_of', { name: personName(study.patient.family_name + '^' + study.patient.given_name) })} onClose={onClose}>
      <Message kind="error">{error}</Message>
      {list && !list.length && <p>{t('no_studies')}</p>}
      {list && list.length > 0 && (
        <table class="small" id="history-table">
          <thead><tr><th scope="col">{t('col_date')}</th><th scope="col">{t('col_description')}</th><th scope="col">{t('col_modalities')}</th><th scope="col">{t('accession_number')}</th></tr></thead>
          <tbody>{list.map((s) => <tr class={s.uid === study.uid ? 'current' : ''}><td>{dicomDate(s.date)}</td><td>{s.description}</td><td>{s.modalities.join(', ')}</td><td>{s.accession}</td></tr>)}</tbody>
        </table>
      )}
    </Dialog>
  );
}
