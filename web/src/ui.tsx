/** Small shared pieces: async loading with its states, copy buttons, paged lists, dates. */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from './api';

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export interface Async<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
  set: (value: T) => void;
}

/** Runs `load` on mount and whenever `deps` change; answers the latest call only. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const call = useRef(0);
  useEffect(() => {
    const id = ++call.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => {
        if (id === call.current) setState({ data, error: null, loading: false });
      },
      (e: unknown) => {
        if (id === call.current) setState((s) => ({ ...s, error: errorMessage(e), loading: false }));
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, set };
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="muted">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div role="alert" className="error">
      <span>{message}</span>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Shows `children` once loaded, else the loading or error state. */
export function Loaded<T>({ state, what, children }: { state: Async<T>; what: string; children: (data: T) => ReactNode }) {
  if (state.error && !state.data) return <ErrorNote message={state.error} retry={state.reload} />;
  if (!state.data) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-http deployments: the old way, through a temporary text area.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy failed');
}

/** A button that copies `text`, and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = (): void => {
    copyText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <span className="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text and copy it' : ''}
      </span>
    </span>
  );
}

/** A read-only value with a label and a copy button. */
export function CopyField({ label, value, copyLabel, multiline }: { label: string; value: string; copyLabel: string; multiline?: boolean }) {
  const id = `field-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        {multiline ? (
          <textarea id={id} readOnly value={value} rows={18} />
        ) : (
          <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        )}
        <CopyButton text={value} label={copyLabel} />
      </div>
    </div>
  );
}

export interface PageState<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A list paged with the API's cursors: the first page on mount (and when `deps` change), more
 * with `more()`.
 */
export function usePaged<T>(load: (cursor: string | undefined) => Promise<PageState<T>>, deps: unknown[]) {
  const first = useAsync(() => load(undefined), deps);
  const [extra, setExtra] = useState<{ items: T[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    setExtra(null);
    setMoreError(null);
  }, [first.data]);
  const items = first.data ? [...first.data.items, ...(extra?.items ?? [])] : [];
  const nextCursor = extra ? extra.nextCursor : (first.data?.nextCursor ?? null);
  const more = (): void => {
    if (!nextCursor) return;
    setLoadingMore(true);
    setMoreError(null);
    load(nextCursor).then(
      (page) => {
        setExtra((x) => ({ items: [...(x?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
        setLoadingMore(false);
      },
      (e: unknown) => {
        setMoreError(errorMessage(e));
        setLoadingMore(false);
      },
    );
  };
  return { first, items, nextCursor, more, loadingMore, moreError };
}

interface MoreState {
  nextCursor: string | null;
  more: () => void;
  loadingMore: boolean;
  moreError: string | null;
}

export function LoadMore({ paged, label }: { paged: MoreState; label: string }) {
  return (
    <>
      {paged.moreError && <ErrorNote message={paged.moreError} retry={paged.more} />}
      {paged.nextCursor && (
        <button type="button" onClick={paged.more} disabled={paged.loadingMore}>
          {paged.loadingMore ? 'Loading…' : label}
        </button>
      )}
    </>
  );
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">never</span>;
  const date = new Date(at);
  return <time dateTime={at}>{date.toLocaleString()}</time>;
}

let flash: string | null = null;

/** A notice for the next screen to show once, e.g. "Erased …" after navigating away from a contact. */
export function setFlash(message: string): void {
  flash = message;
}

/** The pending notice, read once on mount and then cleared. */
export function useFlash(): string | null {
  const [message] = useState(() => flash);
  useEffect(() => {
    flash = null;
  }, []);
  return message;
}
