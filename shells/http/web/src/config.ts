import { setPasswordMinLength } from './i18n';

// The server's settings the app needs before sign-in (served by portald at /app-config.json).
export interface AppConfig {
  captcha_enabled: boolean;
  patient_access_code: boolean;
  search_max_limit: number;
  password_min_length: number;
  languages: string[];
}

let config: AppConfig = {
  captcha_enabled: false,
  patient_access_code: false,
  search_max_limit: 150,
  password_min_length: 12,
  languages: ['en', 'fr'],
};
let loaded: Promise<AppConfig> | null = null;

export function appConfig(): AppConfig {
  return config;
}

export function loadConfig(): Promise<AppConfig> {
  if (!loaded)
    loaded = fetch('/app-config.json', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : config))
      .then((c) => {
        config = { ...config, ...c };
        setPasswordMinLength(config.password_min_length);
        return config;
      })
      .catch(() => config);
  return loaded;
}
