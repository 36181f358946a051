// Small pieces every page uses: loading data with its error, alerts, status badges, times.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { messageOf } from '../api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  reload(): Promise<void>;
}

/** Loads with `fn` now and when `deps` change; `pollMs` reloads on a timer while `poll` holds. */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[], poll?: { ms: number; while: (data: T | undefined) => boolean }): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const alive = useRef(true);
  const reload = useCallback(async () => {
    try {
      const value = await fn();
      if (alive.current) {
        setData(value);
        setError(undefined);
      }
    } catch (err) {
      if (alive.current) setError(messageOf(err));
    }
  }, deps);
  useEffect(() => {
    alive.current = true;
    void reload();
    return () => {
      alive.current = false;
    };
  }, [reload]);
  const polling = poll !== undefined && poll.while(data);
  useEffect(() => {
    if (!polling || poll === undefined) return undefined;
    const t = setInterval(() => void reload(), poll.ms);
    return () => clearInterval(t);
  }, [polling, reload, poll?.ms]);
  return { data, error, reload };
}

export function ErrorAlert({ error }: { error: string | undefined }): ReactNode {
  if (error === undefined) return null;
  return (
    <p role="alert" className="alert error">
      {error}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }): ReactNode {
  return (
    <p role="status" className="alert ok">
      {children}
    </p>
  );
}

export function Badge({ value }: { value: string }): ReactNode {
  return <span className={`badge badge-${value}`}>{value}</span>;
}

export function Time({ value }: { value: string | null | undefined }): ReactNode {
  if (value === null || value === undefined) return <span>—</span>;
  return <time dateTime={value}>{new Date(value).toLocaleString()}</time>;
}

export function Json({ value, label }: { value: unknown; label: string }): ReactNode {
  return (
    <pre className="json" tabIndex={0} aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** Runs an action, keeping its error and whether it is under way. */
export function useAction(): { busy: boolean; error: string | undefined; run: (fn: () => Promise<void>) => Promise<void>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (fn: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

export function PageTitle({ children }: { children: ReactNode }): ReactNode {
  useEffect(() => {
    document.title = `${typeof children === 'string' ? children : 'Console'} · Switchboard`;
  }, [children]);
  return <h1>{children}</h1>;
}
