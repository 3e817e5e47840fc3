// The study list (LIST-1..8): quick and advanced filters kept in the address (so a reload keeps
// them), the result count and the cap notice, sortable columns, columns shown or hidden from the
// header and remembered in the preferences, per-study actions gated by the profile's rights.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, put, post, SessionInfo, Study, StudyPage } from '../api';
import { t, errorText } from '../i18n';
import { navigate } from '../router';
import { Icon, Message } from '../components';
import { allowedColumns, columnLabel, ColumnId, rememberColumnsLocally, SORT_KEYS, visibleColumns } from '../columns';
import { ageYears, dicomDate, dicomTime, personName } from '../format';
import { appConfig } from '../config';
import { UploadDialog, UploadMode } from '../dialogs/Upload';
import { ShareDialog } from '../dialogs/Share';
import { StudyInfoDialog, HistoryDialog } from '../dialogs/StudyInfo';

const QUICK = ['period', 'date_from', 'date_to', 'first_name', 'last_name', 'modality', 'patient_id'] as const;
const ADVANCED = ['accession', 'referring', 'performing', 'site', 'seen'] as const;
const FILTERS = [...QUICK, ...ADVANCED, 'sort'] as const;
type FilterKey = (typeof FILTERS)[number];
type Filters = Record<FilterKey, string>;

const PERIODS = ['today', 'yesterday', '7d', '30d', 'all', 'custom'];

function emptyFilters(defaultPeriod: string): Filters {
  const f = {} as Filters;
  FILTERS.forEach((k) => (f[k] = ''));
  f.period = defaultPeriod || 'all';
  return f;
}

function filtersFromUrl(defaultPeriod: string): Filters {
  const q = new URLSearchParams(location.search);
  const f = emptyFilters(defaultPeriod);
  FILTERS.forEach((k) => {
    const v = q.get(k);
    if (v !== null) f[k] = v;
  });
  return f;
}

/** "2026-11-28" (date input) <-> "20261128" (API). */
const toApiDate = (d: string) => d.replace(/-/g, '');
const toInputDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);

function queryString(f: Filters, withLimit: boolean): string {
  const q = new URLSearchParams();
  FILTERS.forEach((k) => {
    let v = f[k].trim();
    if (!v) return;
    if ((k === 'date_from' || k === 'date_to')) {
      if (f.period !== 'custom') return;
      v = toApiDate(v);
    }
    q.set(k, v);
  });
  if (withLimit) q.set('limit', String(appConfig().search_max_limit));
  return q.toString();
}

export function Studies({ session }: { session: SessionInfo }) {
  const rights = session.rights;
  const can = (r: string) => rights.includes(r);
  const prefs = session.user?.preferences;
  const defaultPeriod = prefs?.default_period || 'all';
  const [filters, setFilters] = useState<Filters>(() => filtersFromUrl(defaultPeriod));
  const [draft, setDraft] = useState<Filters>(filters);
  const [page, setPage] = useState<StudyPage | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const allowed = useMemo(() => allowedColumns(rights), [rights]);
  const [columns, setColumns] = useState<ColumnId[]>(() => visibleColumns(allowed, prefs?.columns));
  const [columnMenu, setColumnMenu] = useState(false);
  const [showAdvanced, setShowAdvanced] = useState(() => ADVANCED.some((k) => filters[k]));
  const [upload, setUpload] = useState<{ mode: UploadMode; study?: Study } | null>(
    () => (new URLSearchParams(location.search).get('upload') && can('upload') ? { mode: 'dicom' } : null));
  const [shareOf, setShareOf] = useState<Study | null>(null);
  const [infoOf, setInfoOf] = useState<Study | null>(null);
  const [historyOf, setHistoryOf] = useState<Study | null>(null);
  const [notice, setNotice] = useState('');
  const [filtersOpen, setFiltersOpen] = useState(false); // phones: the filters fold away
  const rendered = useRef(false);

  async function load(f: Filters) {
    setBusy(true);
    setError('');
    try {
      const p = await get<StudyPage>('/api/studies?' + queryString(f, true));
      performance.mark('portal-list-data');
      rendered.current = false;
      setPage(p);
    } catch (e) {
      setError(errorText(e));
      setPage(null);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    load(filters);
  }, [filters]);

  useLayoutEffect(() => {
    if (page && !rendered.current) performance.mark('portal-list-committed');
  }, [page]);

  // The benchmark's end mark: the rows are in the page (docs/web.md, benchmarks/README.md).
  useEffect(() => {
    if (page && !rendered.current) {
      rendered.current = true;
      performance.mark('portal-list-displayed');
      if (performance.getEntriesByName('portal-sign-in-start').length) {
        performance.measure('portal-sign-in-to-list', 'portal-sign-in-start', 'portal-list-displayed');
        performance.clearMarks('portal-sign-in-start');
      }
    }
  }, [page]);

  function apply(f: Filters) {
    const qs = queryString(f, false);
    navigate('/studies' + (qs ? '?' + qs : ''), true);
    setFilters(f);
    setDraft(f);
  }

  function submit(e: Event) {
    e.preventDefault();
    apply({ ...draft });
  }

  function reset() {
    apply(emptyFilters(defaultPeriod));
  }

  function sortBy(c: ColumnId) {
    const key = SORT_KEYS[c];
    if (!key) return;
    const current = filters.sort || '-date';
    const next = current === key ? '-' + key : current === '-' + key ? key : c === 'date' ? '-date' : key;
    apply({ ...filters, sort: next });
  }

  function sortState(c: ColumnId): 'ascending' | 'descending' | 'none' {
    const key = SORT_KEYS[c];
    const current = filters.sort || '-date';
    if (!key) return 'none';
    if (current === key) return 'ascending';
    if (current === '-' + key) return 'descending';
    return 'none';
  }

  async function toggleColumn(c: ColumnId) {
    const next = columns.includes(c) ? columns.filter((x) => x !== c) : allowed.filter((x) => x === c || columns.includes(x));
    if (!next.length) return;
    setColumns(next);
    rememberColumnsLocally(next);
    if (session.user) {
      try {
        const p = await put('/api/me/preferences', { columns: next });
        session.user.preferences = p;
      } catch (e) {
        setNotice(errorText(e));
      }
    }
  }

  const setD = (k: FilterKey) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  const cap = appConfig().search_max_limit;
  const studies = page?.studies || [];
  const hasReport = studies.some((s) => s.has_report !== undefined);
  const hasNotification = studies.some((s) => s.notification !== undefined);
  const shown = columns.filter((c) => c !== 'report' || hasReport);

  return (
    <section aria-labelledby="studies-title" class="studies">
      <div class="toolbar">
        <h1 id="studies-title">{t('tab_studies')}</h1>
        <div class="spacer" />
        {can('upload') && (
          <button type="button" class="primary" id="open-upload" onClick={() => setUpload({ mode: 'dicom' })}>{t('upload')}</button>
        )}
      </div>

      <button type="button" class="filters-toggle" aria-expanded={filtersOpen} aria-controls="filters"
        onClick={() => setFiltersOpen(!filtersOpen)}>{t('filters')}</button>
      <form class={filtersOpen ? 'filters open' : 'filters'} onSubmit={submit} id="filters" aria-label={t('filters')}>
        <div class="field">
          <label for="f-period">{t('period')}</label>
          <select id="f-period" name="period" value={draft.period} onChange={setD('period')}>
            {PERIODS.map((p) => <option value={p}>{t('period_' + p)}</option>)}
          </select>
        </div>
        {draft.period === 'custom' && (
          <>
            <div class="field"><label for="f-from">{t('date_from')}</label>
              <input id="f-from" type="date" value={toInputDate(draft.date_from)} onInput={setD('date_from')} /></div>
            <div class="field"><label for="f-to">{t('date_to')}</label>
              <input id="f-to" type="date" value={toInputDate(draft.date_to)} onInput={setD('date_to')} /></div>
          </>
        )}
        <div class="field"><label for="f-last">{t('last_name')}</label>
          <input id="f-last" name="last_name" value={draft.last_name} onInput={setD('last_name')} /></div>
        <div class="field"><label for="f-first">{t('first_name')}</label>
          <input id="f-first" name="first_name" value={draft.first_name} onInput={setD('first_name')} /></div>
        <div class="field"><label for="f-mod">{t('modality')}</label>
          <input id="f-mod" name="modality" value={draft.modality} onInput={setD('modality')} size={5} /></div>
        <div class="field"><label for="f-pid">{t('patient_id')}</label>
          <input id="f-pid" name="patient_id" value={draft.patient_id} onInput={setD('patient_id')} /></div>
        {can('advanced_filters') && showAdvanced && (
          <>
            <div class="field"><label for="f-acc">{t('accession_number')}</label>
              <input id="f-acc" name="accession" value={draft.accession} onInput={setD('accession')} /></div>
            <div class="field"><label for="f-ref">{t('col_referring')}</label>
              <input id="f-ref" name="referring" value={draft.referring} onInput={setD('referring')} /></div>
            <div class="field"><label for="f-perf">{t('col_performing')}</label>
              <input id="f-perf" name="performing" value={draft.performing} onInput={setD('performing')} /></div>
            <div class="field"><label for="f-site">{t('col_site')}</label>
              <input id="f-site" name="site" value={draft.site} onInput={setD('site')} /></div>
            {session.profile !== 'guest' && (
              <div class="field"><label for="f-seen">{t('read_status')}</label>
                <select id="f-seen" name="seen" value={draft.seen} onChange={setD('seen')}>
                  <option value="">{t('any')}</option>
                  <option value="seen">{t('seen')}</option>
                  <option value="unseen">{t('unseen')}</option>
                </select></div>
            )}
          </>
        )}
        <div class="buttons">
          <button type="submit" class="primary" id="search">{t('search')}</button>
          <button type="button" id="reset" onClick={reset}>{t('reset')}</button>
          {can('advanced_filters') && (
            <button type="button" class="link" aria-expanded={showAdvanced} id="toggle-advanced"
              onClick={() => setShowAdvanced(!showAdvanced)}>{showAdvanced ? t('fewer_filters') : t('more_filters')}</button>
          )}
        </div>
      </form>

      <div class="result-line" aria-live="polite">
        {busy && <span class="busy">{t('loading')}</span>}
        {page && (
          <span id="result-count">{t('result_count', { n: page.total })}</span>
        )}
        {page?.truncated && (
          <Message kind="warn"><span id="cap-notice">{t('cap_notice', { shown: studies.length, total: page.total, cap })}</span></Message>
        )}
      </div>
      <Message kind="error">{error}</Message>
      <Message kind="info">{notice}</Message>

      <div class="table-wrap">
        <table class="study-table" id="study-table">
          <thead>
            <tr>
              {shown.map((c) =>
                c === 'actions' ? (
                  <th scope="col" class="col-actions">
                    <span class="sr-only">{columnLabel('actions')}</span>
                    <button type="button" class="icon" id="columns-button" aria-haspopup="true" aria-expanded={columnMenu}
                      title={t('columns')} aria-label={t('columns')} onClick={() => setColumnMenu(!columnMenu)}><Icon name="columns" /></button>
                    {columnMenu && (
                      <ColumnMenu allowed={allowed.filter((x) => x !== 'actions' && (x !== 'report' || hasReport))} shown={columns}
                        onToggle={toggleColumn} onClose={() => setColumnMenu(false)} />
                    )}
                  </th>
                ) : (
                  <th scope="col" class={'col-' + c} aria-sort={sortState(c)} data-col={c}>
                    {SORT_KEYS[c] ? (
                      <button type="button" class="sort" onClick={() => sortBy(c)}>
                        {columnLabel(c)}
                        <span aria-hidden="true">{sortState(c) === 'ascending' ? ' ▲' : sortState(c) === 'descending' ? ' ▼' : ''}</span>
                      </button>
                    ) : columnLabel(c)}
                    {!shown.includes('actions') && c === shown[0] && (
                      <button type="button" class="icon" id="columns-button" aria-label={t('columns')} onClick={() => setColumnMenu(!columnMenu)}><Icon name="columns" /></button>
                    )}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {studies.map((s) => (
              <StudyRow study={s} columns={shown} rights={rights} profile={session.profile} notification={hasNotification}
                onShare={() => setShareOf(s)} onInfo={() => setInfoOf(s)} onHistory={() => setHistoryOf(s)}
                onUpload={() => setUpload({ mode: 'files', study: s })}
                onChanged={(msg) => { setNotice(msg); load(filters); }} />
            ))}
          </tbody>
        </table>
        {page && !studies.length && <p class="empty" id="no-studies">{t('no_studies')}</p>}
      </div>

      {upload && <UploadDialog mode={upload.mode} study={upload.study} onClose={(changed) => { setUpload(null); if (changed) load(filters); }} />}
      {shareOf && <ShareDialog study={shareOf} onClose={() => setShareOf(null)} />}
      {infoOf && <StudyInfoDialog study={infoOf} profile={session.profile} onClose={() => setInfoOf(null)} />}
      {historyOf && <HistoryDialog study={historyOf} onClose={() => setHistoryOf(null)} />}
    </section>
  );
}

function ColumnMenu({ allowed, shown, onToggle, onClose }: { allowed: ColumnId[]; shown: ColumnId[]; onToggle: (c: ColumnId) => void; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('input')?.focus();
    const away = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node) && (e.target as HTMLElement).id !== 'columns-button') onClose();
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, []);
  return (
    <div class="popup column-menu" ref={ref} role="group" aria-label={t('columns')} id="column-menu"
      onKeyDown={(e) => { if (e.key === 'Escape') { onClose(); document.getElementById('columns-button')?.focus(); } }}>
      <strong>{t('columns_shown')}</strong>
      {allowed.map((c) => (
        <label class="check">
          <input type="checkbox" name={'col-' + c} checked={shown.includes(c)} onChange={() => onToggle(c)} />
          {columnLabel(c)}
        </label>
      ))}
    </div>
  );
}

function SeenIcon({ seen, who }: { seen: boolean; who: string }) {
  const label = `${t('seen_by_' + who)}: ${seen ? t('yes') : t('no')}`;
  return (
    <span class={seen ? 'seen yes' : 'seen no'} title={label} aria-label={label} role="img">
      {t('seen_abbr_' + who)}{seen ? '✓' : '·'}
    </span>
  );
}

function StudyRow(p: {
  study: Study; columns: ColumnId[]; rights: string[]; profile: string; notification: boolean;
  onShare: () => void; onInfo: () => void; onHistory: () => void; onUpload: () => void; onChanged: (msg: string) => void;
}) {
  const s = p.study;
  const can = (r: string) => p.rights.includes(r);
  const age = ageYears(s.patient.birth_date, s.date);
  const cell = (c: ColumnId) => {
    switch (c) {
      case 'actions':
        return <Actions {...p} />;
      case 'patient_name':
        return <span class="pname">{personName(s.patient.family_name + '^' + s.patient.given_name)}</span>;
      case 'birth_date':
        return (
          <>
            {dicomDate(s.patient.birth_date)}
            {age !== null && <span class="age"> ({t('age_years', { n: age })})</span>}
          </>
        );
      case 'patient_id': return s.patient.patient_id;
      case 'description': return s.description;
      case 'performing': return personName(s.performing_physician || s.reading_physician);
      case 'referring': {
        const notified = s.notification === 'sent';
        return <span class={notified ? 'notified' : ''} title={notified ? t('notified') : undefined}>{personName(s.referring_physician)}</span>;
      }
      case 'date': return <>{dicomDate(s.date)} <span class="time">{dicomTime(s.time)}</span></>;
      case 'site': return s.institution;
      case 'repository': return s.repository;
      case 'accession': return s.accession;
      case 'modalities': return s.modalities.join(', ');
      case 'report':
        if (!s.has_report) return null;
        const label = t('report_available') + (s.report_status === 'draft' ? ` (${t('report_draft')})` : '');
        return <span class={'report report-' + (s.report_status || 'final')} role="img" aria-label={label} title={label}>▤</span>;
      case 'status':
        return (
          <span class="status">
            <SeenIcon seen={s.seen_by_radiologist} who="radiologist" />
            <SeenIcon seen={s.seen_by_referring} who="referring" />
            <SeenIcon seen={s.seen_by_patient} who="patient" />
            {p.notification && s.notification && (
              <span class={'notif notif-' + s.notification} role="img" aria-label={t('notification_' + s.notification)}
                title={t('notification_' + s.notification) + (s.notification_error ? ': ' + s.notification_error : '')}>✉</span>
            )}
          </span>
        );
    }
  };
  return (
    <tr data-uid={s.uid}>
      {p.columns.map((c) => <td class={'col-' + c} data-label={columnLabel(c)}>{cell(c)}</td>)}
    </tr>
  );
}

function Actions(p: {
  study: Study; rights: string[]; profile: string;
  onShare: () => void; onInfo: () => void; onHistory: () => void; onUpload: () => void; onChanged: (msg: string) => void;
}) {
  const s = p.study;
  const can = (r: string) => p.rights.includes(r);
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const base = `/api/studies/${encodeURIComponent(s.uid)}`;
  useEffect(() => {
    if (!open) return;
    (menu.current?.querySelector('a,button') as HTMLElement | null)?.focus();
    const away = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && e.target !== button.current) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  async function run(f: () => Promise<unknown>, ok: string) {
    setOpen(false);
    try {
      await f();
      p.onChanged(ok);
    } catch (e) {
      p.onChanged(errorText(e));
    }
  }
  const items: preact.JSX.Element[] = [];
  items.push(<button type="button" role="menuitem" onClick={() => { setOpen(false); p.onHistory(); }}>{t('patient_history')}</button>);
  if (can('download'))
    items.push(<a role="menuitem" href={`${base}/export?format=dicom`} download>{t('download_dicom')}</a>);
  if (can('export'))
    items.push(<a role="menuitem" href={`${base}/export?format=jpeg`} download>{t('download_jpeg')}</a>);
  if (can('share'))
    items.push(<button type="button" role="menuitem" class="act-share" onClick={() => { setOpen(false); p.onShare(); }}>{t('share')}</button>);
  if (can('upload'))
    items.push(<button type="button" role="menuitem" class="act-upload" onClick={() => { setOpen(false); p.onUpload(); }}>{t('add_files')}</button>);
  if (p.profile !== 'guest')
    items.push(<button type="button" role="menuitem" onClick={() => run(() => post(`${base}/seen`), t('marked_seen'))}>{t('mark_seen')}</button>);
  if (can('disable_study')) {
    items.push(<button type="button" role="menuitem" onClick={() => run(() => put(`${base}/disabled`, { disabled: true }), t('study_disabled'))}>{t('disable_study')}</button>);
    items.push(<button type="button" role="menuitem" onClick={() => run(() => put(`${base}/disabled`, { disabled: false }), t('study_enabled'))}>{t('enable_study')}</button>);
  }
  return (
    <div class="actions">
      <button type="button" class="icon act-info i-info" title={t('study_info')} aria-label={t('study_info')} onClick={p.onInfo} />
      {(can('export') || can('download')) && (
        <a class="icon act-pdf" href={`${base}/export?format=pdf`} download title={t('download_pdf')} aria-label={t('download_pdf')}>PDF</a>
      )}
      <button type="button" class="icon act-more i-more" ref={button} aria-haspopup="menu" aria-expanded={open}
        aria-label={t('more_actions')} title={t('more_actions')} onClick={() => setOpen(!open)} />
      {open && (
        <div class="popup menu" role="menu" ref={menu}
          onKeyDown={(e) => {
            const list = Array.from(menu.current!.querySelectorAll<HTMLElement>('[role=menuitem]'));
            const i = list.indexOf(document.activeElement as HTMLElement);
            if (e.key === 'Escape') close();
            else if (e.key === 'ArrowDown') { e.preventDefault(); list[(i + 1) % list.length]?.focus(); }
            else if (e.key === 'ArrowUp') { e.preventDefault(); list[(i + list.length - 1) % list.length]?.focus(); }
          }}>
          {items}
        </div>
      )}
    </div>
  );
}
