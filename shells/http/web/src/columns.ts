// Study-list columns (LIST-2, LIST-6): the ids are the core's (`column:<id>` rights).
import { t } from './i18n';

export const COLUMN_IDS = [
  'actions', 'patient_name', 'birth_date', 'patient_id', 'description', 'performing', 'referring',
  'date', 'site', 'repository', 'accession', 'modalities', 'report', 'status',
] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];

/** The sort key of the API (parse_sort) for a column, when it can be sorted. */
export const SORT_KEYS: Partial<Record<ColumnId, string>> = {
  patient_name: 'patient_name', birth_date: 'birth_date', patient_id: 'patient_id',
  description: 'description', performing: 'performing', referring: 'referring', date: 'date',
  site: 'site', accession: 'accession', modalities: 'modality',
};

export function columnLabel(c: ColumnId): string {
  return t('col_' + c);
}

/** Columns the profile may see (its column:X rights), in display order. */
export function allowedColumns(rights: string[]): ColumnId[] {
  return COLUMN_IDS.filter((c) => rights.includes('column:' + c));
}

const STORAGE_KEY = 'portal.columns';

/** The columns shown: the user's choice (preferences, else this browser's), within the allowed. */
export function visibleColumns(allowed: ColumnId[], saved: string[] | undefined): ColumnId[] {
  let choice = saved && saved.length ? saved : null;
  if (!choice) {
    try {
      const local = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
      if (Array.isArray(local) && local.length) choice = local;
    } catch {
      /* ignore */
    }
  }
  const shown = choice ? allowed.filter((c) => choice!.includes(c)) : allowed;
  return shown.length ? shown : allowed;
}

export function rememberColumnsLocally(columns: string[]) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(columns));
  } catch {
    /* storage full or off */
  }
}
