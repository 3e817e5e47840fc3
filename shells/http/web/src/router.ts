// A small history router: the path picks the page; query strings carry tokens and filters.
type Listener = () => void;
const listeners = new Set<Listener>();

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

export function onRoute(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

addEventListener('popstate', () => listeners.forEach((l) => l()));

export function queryParam(name: string): string {
  return new URLSearchParams(location.search).get(name) || '';
}

/** A link that navigates without reloading the page (keyboard and middle-click still work). */
export function linkClick(e: MouseEvent, to: string) {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}
