// The frame of every view: a skip link, the navigation (only what the user may use), who is
// signed in with a sign-out button, and the view itself as the page's main landmark.
import type { ComponentChildren } from "preact";
import { useLocation } from "preact-iso";
import { end, useSession } from "../auth/session";
import { VIEWS, allowed } from "../views";

export function Layout({ children, bare = false }: { children: ComponentChildren; bare?: boolean }) {
  const session = useSession();
  const { path } = useLocation();
  const claims = session?.claims;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {!bare && (
        <header class="top">
          <a class="brand" href="/console/">
            Service console
          </a>
          <nav aria-label="Views">
            <ul>
              {VIEWS.filter((view) => allowed(view, claims)).map((view) => (
                <li key={view.path}>
                  <a href={view.path} aria-current={path.startsWith(view.path) ? "page" : undefined}>
                    {view.title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            {claims ? (
              <>
                <a href="/console/account">{claims.email}</a>
                <button type="button" class="secondary" onClick={() => end()}>
                  Sign out
                </button>
              </>
            ) : (
              <a href={`/console/signin?next=${encodeURIComponent(path)}`}>Sign in</a>
            )}
          </div>
        </header>
      )}
      <main id="main">{children}</main>
    </>
  );
}

/** What a view shows a visitor who must sign in first, or who is not in its group. */
export function Gate({ need, children }: { need: "signed_in" | "staff" | "provider" | "analyst" | "admin"; children: ComponentChildren }) {
  const session = useSession();
  const { path } = useLocation();
  if (!session) {
    return (
      <section class="gate">
        <h1>Sign in to continue</h1>
        <p>This view is for signed-in users.</p>
        <p>
          <a class="button" href={`/console/signin?next=${encodeURIComponent(path)}`}>
            Sign in
          </a>{" "}
          or <a href="/console/signup">create an account</a>.
        </p>
      </section>
    );
  }
  const groups = session.claims.groups;
  if (need !== "signed_in" && !groups.includes("admin") && !groups.includes(need)) {
    return (
      <section class="gate">
        <h1>Not available to you</h1>
        <p>
          This view is for the <strong>{need}</strong> group. You are signed in as {session.claims.email}
          {groups.length ? ` (${groups.join(", ")})` : ""}. Ask an administrator if you need it.
        </p>
        <p>
          <a href="/console/">Back to the start</a>
        </p>
      </section>
    );
  }
  return <>{children}</>;
}
