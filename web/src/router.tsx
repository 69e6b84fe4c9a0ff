/** A few routes under /app, on the History API: no router library needed. */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = '/app';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The path below /app, e.g. `/tenants/3f0c…/integrations` (`/` for the app's root). */
export function usePath(): string {
  const read = (): string => window.location.pathname.replace(/^\/app\/?/, '/').replace(/\/+$/, '') || '/';
  const [path, setPath] = useState(read);
  useEffect(() => {
    const update = (): void => {
      setPath(read());
      window.scrollTo(0, 0);
    };
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}

/** Parameters of the first pattern that matches, e.g. `/tenants/:tenantId/contacts`. */
export function match(path: string, pattern: string): Record<string, string> | null {
  const names: string[] = [];
  const source = pattern.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const m = new RegExp(`^${source}$`).exec(path);
  if (!m) return null;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; current?: boolean };

/** An ordinary link (opens in a new tab as usual) that navigates in place on a plain click. */
export function Link({ to, current, children, ...rest }: LinkProps) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href(to));
  };
  return (
    <a href={href(to)} onClick={onClick} aria-current={current ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}
