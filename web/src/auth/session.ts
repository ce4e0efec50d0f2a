// The signed-in user of this tab: tokens kept in sessionStorage (gone with the tab), the ID token
// refreshed a minute before it expires, and listeners told of every change so the views follow.
import { useEffect, useState } from "preact/hooks";
import { type Claims, claimsOf } from "./claims";
import { type Tokens, refresh } from "./cognito";

const KEY = "console.session";
/** Refresh this long before the token expires (tokens live an hour). */
const REFRESH_MARGIN_MS = 60_000;

export type Session = { tokens: Tokens; claims: Claims } | undefined;

let session: Session = load();
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<void> | undefined;
/** Why the last session ended, when it ended on its own (shown on the sign-in form). */
let endedBecause: string | undefined;
const listeners = new Set<() => void>();

function load(): Session {
  try {
    const tokens = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Tokens | null;
    const claims = tokens && claimsOf(tokens.idToken);
    return tokens && claims ? { tokens, claims } : undefined;
  } catch {
    return undefined;
  }
}

function changed() {
  for (const listener of listeners) listener();
}

function schedule() {
  clearTimeout(timer);
  if (!session) return;
  const wait = Math.max(0, session.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS);
  timer = setTimeout(() => void renew(), wait);
}

async function renew(): Promise<void> {
  const current = session;
  if (!current) return;
  refreshing ??= refresh(current.tokens.refreshToken)
    .then((tokens) => setTokens(tokens))
    .catch(() => end("Your session has expired; sign in again."))
    .finally(() => (refreshing = undefined));
  return refreshing;
}

export function setTokens(tokens: Tokens) {
  const claims = claimsOf(tokens.idToken);
  if (!claims) return end("The sign-in answer could not be read; sign in again.");
  session = { tokens, claims };
  endedBecause = undefined;
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
  schedule();
  changed();
}

/** Signs out (by the user, or because the session could not be renewed). */
export function end(reason?: string) {
  session = undefined;
  endedBecause = reason;
  sessionStorage.removeItem(KEY);
  clearTimeout(timer);
  changed();
}

export function endReason(): string | undefined {
  return endedBecause;
}

export function current(): Session {
  return session;
}

/** The ID token to send, renewed first if it is about to expire; none when signed out. */
export async function currentToken(): Promise<string | undefined> {
  if (session && session.tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS / 2) await renew();
  return session?.tokens.idToken;
}

/** The session, re-rendering the component whenever it changes. */
export function useSession(): Session {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return session;
}

schedule();
