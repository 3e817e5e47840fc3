// Upload dialog (ING-2..5): a new DICOM study (with "ignore patient ID verification"), a new
// study from PNG/JPEG images (the ING-4 form), additional files for a study (DICOM, PDF, PNG,
// JPEG). Files come from the picker or by drag and drop; each is sent in its own request so that
// it has its own progress bar and result.
import { useRef, useState } from 'preact/hooks';
import { upload, IngestAnswer, Study } from '../api';
import { t, errorText } from '../i18n';
import { Dialog, Field, Message, RequiredNote, Tabs } from '../components';
import { bytes, personName } from '../format';

export type UploadMode = 'dicom' | 'images' | 'files';

interface Item {
  file: File;
  sent: number;
  state: 'waiting' | 'sending' | 'stored' | 'duplicate' | 'rejected' | 'error';
  message: string;
}

function DropZone({ accept, onFiles, id }: { accept: string; onFiles: (f: File[]) => void; id: string }) {
  const [over, setOver] = useState(false);
  return (
    <div class={over ? 'drop over' : 'drop'} id={id + '-drop'}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onFiles(Array.from(e.dataTransfer?.files || []));
      }}>
      <p>{t('drop_here')}</p>
      <label class="button" for={id}>{t('choose_files')}</label>
      <input type="file" id={id} class="file-input" multiple accept={accept}
        onChange={(e) => {
          const input = e.target as HTMLInputElement;
          onFiles(Array.from(input.files || []));
          input.value = '';
        }} />
    </div>
  );
}

function FileList({ items, onRemove }: { items: Item[]; onRemove?: (i: number) => void }) {
  if (!items.length) return null;
  return (
    <ul class="files" id="upload-files">
      {items.map((it, i) => (
        <li class={'file file-' + it.state} data-name={it.file.name}>
          <span class="fname">{it.file.name}</span> <span class="fsize">{bytes(it.file.size)}</span>
          <progress max={it.file.size || 1} value={it.sent} aria-label={t('progress_of', { name: it.file.name })} />
          <span class="fstate">{t('file_' + it.state)}</span>
          {it.message && <div class="fmsg">{it.message}</div>}
          {onRemove && it.state === 'waiting' && (
            <button type="button" class="link" onClick={() => onRemove(i)} aria-label={t('remove_file', { name: it.file.name })}>{t('remove')}</button>
          )}
        </li>
      ))}
    </ul>
  );
}

export function UploadDialog({ mode, study, onClose }: { mode: UploadMode; study?: Study; onClose: (changed: boolean) => void }) {
  const [tab, setTab] = useState<UploadMode>(mode === 'files' && !study ? 'dicom' : mode);
  const [items, setItems] = useState<Item[]>([]);
  const [ignoreId, setIgnoreId] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [summary, setSummary] = useState('');
  const changed = useRef(false);
  const [form, setForm] = useState({
    patient_family_name: '', patient_given_name: '', birth_date: '', sex: '', patient_id: '',
    study_description: '', study_date: '', modality: 'OT', accession: '', referring_physician: '',
  });
  const setF = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });

  const tabs: [UploadMode, string][] = [['dicom', t('upload_dicom')], ['images', t('upload_images')]];
  if (study) tabs.push(['files', t('upload_files')]);

  function add(files: File[]) {
    setSummary('');
    setItems((old) => [...old.filter((i) => i.state === 'waiting'), ...files.map((file) => ({ file, sent: 0, state: 'waiting' as const, message: '' }))]);
  }

  function update(i: number, patch: Partial<Item>) {
    setItems((old) => old.map((it, k) => (k === i ? { ...it, ...patch } : it)));
  }

  async function sendEach(path: string, fields: Record<string, string>) {
    let stored = 0, duplicates = 0, rejected = 0;
    const list = items;
    for (let i = 0; i < list.length; i++) {
      if (list[i].state !== 'waiting') continue;
      update(i, { state: 'sending' });
      const fd = new FormData();
      Object.entries(fields).forEach(([k, v]) => fd.append(k, v));
      fd.append('files', list[i].file, list[i].file.name);
      try {
        const r = await upload<IngestAnswer>(path, fd, (sent) => update(i, { sent }));
        const bad = r.files.find((f) => f.status === 'rejected');
        stored += r.stored;
        duplicates += r.duplicates;
        rejected += r.rejected;
        if (r.stored) changed.current = true;
        update(i, {
          sent: list[i].file.size,
          state: bad ? 'rejected' : r.stored ? 'stored' : 'duplicate',
          message: bad ? bad.message : r.files.length > 1 ? t('instances_in_archive', { n: r.files.length }) : '',
        });
      } catch (e) {
        rejected++;
        update(i, { state: 'error', message: errorText(e) });
      }
    }
    setSummary(t('upload_summary', { stored, duplicates, rejected }));
  }

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    if (!items.some((i) => i.state === 'waiting')) {
      setError(t('no_files_chosen'));
      return;
    }
    setBusy(true);
    try {
      if (tab === 'dicom') await sendEach('/api/uploads', ignoreId ? { ignore_patient_id: 'true' } : {});
      else if (tab === 'files' && study) await sendEach(`/api/studies/${encodeURIComponent(study.uid)}/files`, {});
      else {
        // One request: the images become one new study.
        const fd = new FormData();
        const fields = { ...form, birth_date: form.birth_date.replace(/-/g, ''), study_date: form.study_date.replace(/-/g, '') };
        Object.entries(fields).forEach(([k, v]) => fd.append(k, v));
        const waiting = items.filter((i) => i.state === 'waiting');
        waiting.forEach((i) => fd.append('files', i.file, i.file.name));
        const total = waiting.reduce((n, i) => n + i.file.size, 0) || 1;
        setItems((old) => old.map((it) => (it.state === 'waiting' ? { ...it, state: 'sending' } : it)));
        try {
          const r = await upload<IngestAnswer>('/api/studies', fd, (sent) =>
            setItems((old) => old.map((it) => (it.state === 'sending' ? { ...it, sent: (it.file.size * sent) / total } : it))));
          if (r.stored) changed.current = true;
          setItems((old) => old.map((it) => {
            if (it.state !== 'sending') return it;
            const res = r.files.find((f) => f.source === it.file.name);
            return { ...it, sent: it.file.size, state: res ? (res.status as Item['state']) : 'stored', message: res?.message || '' };
          }));
          setSummary(t('upload_summary', { stored: r.stored, duplicates: r.duplicates, rejected: r.rejected }));
        } catch (err) {
          setItems((old) => old.map((it) => (it.state === 'sending' ? { ...it, state: 'waiting', sent: 0 } : it)));
          setError(errorText(err));
        }
      }
    } finally {
      setBusy(false);
    }
  }

  const accept = tab === 'dicom' ? '.dcm,.zip,application/dicom,application/zip,*/*' : tab === 'images' ? 'image/png,image/jpeg' : '.dcm,application/dicom,application/pdf,image/png,image/jpeg';

  return (
    <Dialog title={study && tab === 'files' ? t('upload_files_for', { name: personName(study.patient.family_name + '^' + study.patient.given_name) }) : t('upload')}
      onClose={() => onClose(changed.current)} wide>
      <Tabs label={t('upload')} value={tab} onChange={(m) => { setTab(m); setItems([]); setSummary(''); setError(''); }} tabs={tabs} />
      <div role="tabpanel" aria-labelledby={'tab-' + tab}><form onSubmit={submit} id={'upload-' + tab}>
        {tab === 'dicom' && (
          <>
            <p class="hint">{t('upload_dicom_help')}</p>
            <label class="check">
              <input type="checkbox" id="ignore-patient-id" checked={ignoreId} onChange={(e) => setIgnoreId((e.target as HTMLInputElement).checked)} />
              {t('ignore_patient_id')}
            </label>
            <small class="hint">{t('ignore_patient_id_help')}</small>
          </>
        )}
        {tab === 'files' && <p class="hint">{t('upload_files_help')}</p>}
        {tab === 'images' && (
          <>
            <RequiredNote />
            <div class="grid2">
              <Field label={t('last_name')} name="patient_family_name" value={form.patient_family_name} onInput={setF('patient_family_name')} required />
              <Field label={t('first_name')} name="patient_given_name" value={form.patient_given_name} onInput={setF('patient_given_name')} />
              <Field label={t('birth_date')} name="birth_date" type="date" value={form.birth_date} onInput={setF('birth_date')} required />
              <div class="field">
                <label for="new-sex">{t('sex')}<span class="req" aria-hidden="true"> *</span></label>
                <select id="new-sex" name="sex" required value={form.sex} onChange={(e) => setF('sex')((e.target as HTMLSelectElement).value)}>
                  <option value="">—</option>
                  <option value="F">{t('sex_f')}</option>
                  <option value="M">{t('sex_m')}</option>
                  <option value="O">{t('sex_o')}</option>
                </select>
              </div>
              <Field label={t('patient_id')} name="patient_id" value={form.patient_id} onInput={setF('patient_id')} required />
              <Field label={t('study_date')} name="study_date" type="date" value={form.study_date} onInput={setF('study_date')} required />
              <Field label={t('col_description')} name="study_description" value={form.study_description} onInput={setF('study_description')} />
              <Field label={t('modality')} name="modality" value={form.modality} onInput={setF('modality')} required />
              <Field label={t('accession_number')} name="accession" value={form.accession} onInput={setF('accession')} />
              <Field label={t('col_referring')} name="referring_physician" value={form.referring_physician} onInput={setF('referring_physician')} />
            </div>
          </>
        )}
        <DropZone accept={accept} onFiles={add} id={'upload-input-' + tab} />
        <FileList items={items} onRemove={busy ? undefined : (i) => setItems(items.filter((_, k) => k !== i))} />
        <Message kind="error">{error}</Message>
        {summary && <Message kind="info"><span id="upload-summary">{summary}</span></Message>}
        <div class="buttons">
          <button type="submit" class="primary" id="upload-send" disabled={busy}>{busy ? t('sending') : t('send')}</button>
          <button type="button" onClick={() => onClose(changed.current)}>{t('close')}</button>
        </div>
      </form></div>
    </Dialog>
  );
}
