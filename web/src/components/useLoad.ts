// Loading state for a view: what an API call gave, its error in words, and a way to load again.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { messageOf } from "../api/client";

export type Loaded<T> = {
  data: T | undefined;
  error: string | undefined;
  /** What the call threw, for a view that acts on an error's code. */
  failure: unknown;
  loading: boolean;
  reload: () => void;
};

/** Calls `load` now and whenever `deps` change; a slower earlier call never overwrites a later. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const run = useCallback(() => {
    const call = ++latest.current;
    setLoading(true);
    load()
      .then((value) => {
        if (call !== latest.current) return;
        setData(value);
        setFailure(undefined);
      })
      .catch((err: unknown) => call === latest.current && setFailure(err ?? new Error("failed")))
      .finally(() => call === latest.current && setLoading(false));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  const error = failure === undefined ? undefined : messageOf(failure);
  return { data, error, failure, loading, reload: run };
}

/** Calls `tick` every `ms` while the view is shown (and the tab visible). */
export function useInterval(tick: () => void, ms: number) {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    const id = setInterval(() => document.visibilityState === "visible" && saved.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}

/** An action's state: running (to disable its button) and its error in words. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (err) {
      setError(messageOf(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** Calls `refresh` when the page is looked at again (the tab shown, the window focused) and at
 * `at` (a time in ms, or never when undefined) if the tab is visible then; never twice within
 * `gap` ms, and never on a hidden tab (it waits to be shown). For lists that change by
 * themselves, read again when it can matter rather than on a tight poll. */
export function useRefresh(refresh: () => void, at: number | undefined, gap = 5_000) {
  const saved = useRef(refresh);
  saved.current = refresh;
  const last = useRef(Date.now());
  const fire = useCallback(() => {
    if (document.visibilityState !== "visible" || Date.now() - last.current < gap) return;
    last.current = Date.now();
    saved.current();
  }, [gap]);
  useEffect(() => {
    window.addEventListener("focus", fire);
    document.addEventListener("visibilitychange", fire);
    return () => {
      window.removeEventListener("focus", fire);
      document.removeEventListener("visibilitychange", fire);
    };
  }, [fire]);
  useEffect(() => {
    if (at === undefined) return;
    const id = setTimeout(fire, Math.max(0, at - Date.now()));
    return () => clearTimeout(id);
  }, [at, fire]);
}
