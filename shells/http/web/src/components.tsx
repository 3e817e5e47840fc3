// Small shared pieces: form fields, messages, dialogs, tabs.
import { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from './i18n';

let counter = 0;
export function useId(prefix: string): string {
  const ref = useRef('');
  if (!ref.current) ref.current = `${prefix}-${++counter}`;
  return ref.current;
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  required?: boolean;
  readOnly?: boolean;
  hint?: string;
  autoComplete?: string;
  inputMode?: string;
  placeholder?: string;
  pattern?: string;
}

export function Field(p: FieldProps) {
  const id = useId(p.name);
  const hintId = p.hint ? id + '-hint' : undefined;
  return (
    <div class="field">
      <label for={id}>
        {p.label}
        {p.required && <span class="req" aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        name={p.name}
        type={(p.type || 'text') as any}
        value={p.value}
        required={p.required}
        readOnly={p.readOnly}
        aria-readonly={p.readOnly ? 'true' : undefined}
        aria-describedby={hintId}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode as any}
        placeholder={p.placeholder}
        pattern={p.pattern}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
      />
      {p.hint && <small id={hintId} class="hint">{p.hint}</small>}
    </div>
  );
}

export function Message({ kind, children }: { kind: 'error' | 'ok' | 'info' | 'warn'; children: ComponentChildren }) {
  if (!children) return null;
  return (
    <div class={`msg msg-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function RequiredNote() {
  return <p class="hint"><span class="req">*</span> {t('required_fields')}</p>;
}

/** A modal dialog (the native <dialog>: focus trapping and Escape come with it). */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId('dlg');
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    d.addEventListener('cancel', cancel);
    return () => d.removeEventListener('cancel', cancel);
  }, []);
  return (
    <dialog ref={ref} class={wide ? 'wide' : ''} aria-labelledby={titleId}>
      <div class="dlg-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="icon close" aria-label={t('close')} onClick={onClose}>×</button>
      </div>
      <div class="dlg-body">{children}</div>
    </dialog>
  );
}

export function Tabs<T extends string>({ tabs, value, onChange, label }: { tabs: [T, string][]; value: T; onChange: (v: T) => void; label: string }) {
  return (
    <div role="tablist" aria-label={label} class="tabs"
      onKeyDown={(e) => {
        const i = tabs.findIndex(([k]) => k === value);
        if (e.key === 'ArrowRight') onChange(tabs[(i + 1) % tabs.length][0]);
        else if (e.key === 'ArrowLeft') onChange(tabs[(i + tabs.length - 1) % tabs.length][0]);
      }}>
      {tabs.map(([k, text]) => (
        <button type="button" role="tab" id={`tab-${k}`} aria-selected={k === value} tabIndex={k === value ? 0 : -1}
          class={k === value ? 'tab active' : 'tab'} onClick={() => onChange(k)}>{text}</button>
      ))}
    </div>
  );
}

/** Small icons drawn as SVG (no icon font, no glyph the system may lack). */
const ICONS: Record<string, string> = {
  info: 'M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm0 3.2a1 1 0 1 1 0 2 1 1 0 0 1 0-2zM9.2 12H6.8v-1h.7V8.2h-.7v-1h2.1V11h.3z',
  columns: 'M2 3h12v2H2zm0 4h12v2H2zm0 4h12v2H2z',
  more: 'M3 7h2v2H3zm4 0h2v2H7zm4 0h2v2h-2z',
};
export function Icon({ name }: { name: keyof typeof ICONS | string }) {
  return (
    <svg class="svg-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={ICONS[name]} fill="currentColor" />
    </svg>
  );
}
