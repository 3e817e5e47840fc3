// The JSON API of portald (docs/http.md). Cookie sessions: every state-changing request carries
// the X-CSRF-Token of the session; anonymous ones are sent as application/json.

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrf(token: string) {
  csrfToken = token || '';
}

/** Called when a signed-in request answers 401 (session ended). */
let onUnauthenticated: () => void = () => {};
export function setOnUnauthenticated(f: () => void) {
  onUnauthenticated = f;
}

function headers(method: string, json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) h['X-CSRF-Token'] = csrfToken;
  return h;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = await res.json();
    if (body && body.error) return new ApiError(res.status, body.error.code, body.error.message);
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, 'http_' + res.status, res.statusText || 'request failed');
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const hasBody = body !== undefined || (method !== 'GET' && method !== 'HEAD');
  const res = await fetch(path, {
    method,
    headers: headers(method, hasBody),
    body: hasBody ? JSON.stringify(body ?? {}) : undefined,
    credentials: 'same-origin',
  });
  if (!res.ok) {
    const e = await errorOf(res);
    // A 401 is either the end of the session or a refused credential (a wrong current
    // password): only the first signs the user out.
    if (e.status === 401 && csrfToken && !path.startsWith('/api/session')) {
      const still = await fetch('/api/session', { credentials: 'same-origin' }).catch(() => null);
      if (still && still.status === 401) onUnauthenticated();
    }
    throw e;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') || '';
  return (type.includes('json') ? res.json() : res.text()) as Promise<T>;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body?: unknown) => api<T>('POST', path, body);
export const put = <T = any>(path: string, body?: unknown) => api<T>('PUT', path, body);
export const patch = <T = any>(path: string, body?: unknown) => api<T>('PATCH', path, body);
export const del = <T = any>(path: string) => api<T>('DELETE', path);

/** A multipart upload with progress (fetch has no upload progress): XMLHttpRequest. */
export function upload<T = any>(
  path: string,
  form: FormData,
  onProgress: (sent: number, total: number) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the connection failed'));
    xhr.onload = () => {
      let body: any = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* empty */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else if (body && body.error) reject(new ApiError(xhr.status, body.error.code, body.error.message));
      else reject(new ApiError(xhr.status, 'http_' + xhr.status, xhr.statusText || 'upload failed'));
    };
    xhr.send(form);
  });
}

// --- Shapes (shells/common/model_json.cpp) --------------------------------------------------

export interface Patient {
  patient_id: string;
  family_name: string;
  given_name: string;
  birth_date: string;
  sex: string;
}

export interface Study {
  uid: string;
  patient: Patient;
  date: string;
  time: string;
  description: string;
  accession: string;
  referring_physician: string;
  performing_physician: string;
  reading_physician: string;
  institution: string;
  repository: string;
  modalities: string[];
  num_series: number;
  num_instances: number;
  size_bytes: number;
  received_at: string;
  updated_at: string;
  seen_by_radiologist: boolean;
  seen_by_referring: boolean;
  seen_by_patient: boolean;
  disabled?: boolean;
  // Given by servers that know them (LIST-8, DIF-2); shown when present.
  has_report?: boolean;
  report_status?: string; // draft or final
  notification?: 'not_sent' | 'scheduled' | 'sent' | 'failure' | string;
  notification_error?: string;
}

export interface StudyPage {
  total: number;
  limit: number;
  offset: number;
  truncated: boolean;
  studies: Study[];
}

export interface Preferences {
  language: string;
  first_tab: string;
  columns: string[];
  default_period: string;
}

export interface User {
  id: number;
  login: string;
  emails: string[];
  first_name: string;
  last_name: string;
  phone: string;
  physician_id: string;
  linked_physician_id: string;
  referring_name: string;
  profile: string;
  state: string;
  preferences: Preferences;
  created_at: string;
}

export interface SessionInfo {
  principal: 'user' | 'patient' | 'system';
  profile: string;
  user: User | null;
  rights: string[];
  csrf_token?: string;
}

export interface IngestResult {
  source: string;
  status: 'stored' | 'duplicate' | 'rejected' | string;
  error: string | null;
  message: string;
  study_uid: string;
  series_uid: string;
  sop_uid: string;
  size_bytes: number;
}

export interface IngestAnswer {
  stored: number;
  duplicates: number;
  rejected: number;
  files: IngestResult[];
}

export interface Share {
  id: number;
  study_uid: string;
  recipient: string;
  recipient_login: string;
  shared_by: string;
  message: string;
  created_at: string;
  expires_at: string;
  revoked_at: string;
  pending: boolean;
  active: boolean;
}
