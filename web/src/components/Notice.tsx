// Messages in words: errors as the API wrote them (role="alert", read out at once), other news
// as a polite status. Never colour alone: each starts with a word that says what it is.
import type { ComponentChildren } from "preact";

export function ErrorNotice({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" class="notice error">
      <strong>Error: </strong>
      {error}
    </p>
  );
}

export function Info({ children }: { children: ComponentChildren }) {
  return (
    <p role="status" class="notice info">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" class="loading">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
