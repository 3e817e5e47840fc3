// Formatting of DICOM values for display. Never builds HTML: Preact sets text content only.
import { lang } from './i18n';

/** "Müller^Zoé^^Dr" -> "MÜLLER Zoé" */
export function personName(pn: string): string {
  if (!pn) return '';
  const [family = '', given = '', middle = '', prefix = ''] = pn.split('^');
  return [prefix, family.toUpperCase(), given, middle].filter((x) => x).join(' ');
}

/** YYYYMMDD -> localised date. */
export function dicomDate(d: string): string {
  if (!/^\d{8}$/.test(d)) return d || '';
  const y = d.slice(0, 4), m = d.slice(4, 6), day = d.slice(6, 8);
  return lang() === 'fr' ? `${day}/${m}/${y}` : `${y}-${m}-${day}`;
}

export function dicomTime(t: string): string {
  if (!/^\d{4}/.test(t || '')) return '';
  return `${t.slice(0, 2)}:${t.slice(2, 4)}`;
}

/** Age in whole years at `at` (YYYYMMDD, default today) of someone born on `birth` (YYYYMMDD). */
export function ageYears(birth: string, at?: string): number | null {
  if (!/^\d{8}$/.test(birth)) return null;
  const now = new Date();
  const ref =
    at && /^\d{8}$/.test(at)
      ? at
      : `${now.getFullYear()}${String(now.getMonth() + 1).padStart(2, '0')}${String(now.getDate()).padStart(2, '0')}`;
  let years = Number(ref.slice(0, 4)) - Number(birth.slice(0, 4));
  if (ref.slice(4) < birth.slice(4)) years -= 1;
  return years >= 0 ? years : null;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function isoDate(ts: string): string {
  return ts ? ts.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC') : '';
}
