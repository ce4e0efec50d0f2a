// The start page: what this user can do, by their groups, with links; locally a link to the
// email outbox, where every email the system sends can be read.
import { useSession } from "../auth/session";
import { config } from "../auth/config";
import { useLoad } from "../components/useLoad";
import { VIEWS, allowed, offer } from "../views";

export function Home() {
  const session = useSession();
  const outbox = useLoad(() => config().then((c) => c.outbox_url), []).data;
  const claims = session?.claims;
  const views = VIEWS.filter((view) => allowed(view, claims));
  return (
    <section>
      <h1>Service console</h1>
      <p>
        {claims ? `Signed in as ${claims.email}${claims.groups.length ? ` (${claims.groups.join(", ")})` : ""}.` : "Sign in to see everything you can do."}
      </p>
      <ul class="cards">
        {views.map((view) => (
          <li key={view.path}>
            <a href={view.path}>
              <strong>{view.title}</strong>
              <span>{offer(view, claims)}</span>
            </a>
          </li>
        ))}
      </ul>
      {!claims && (
        <p>
          <a class="button" href="/console/signin">
            Sign in
          </a>{" "}
          or <a href="/console/signup">create an account</a>.
        </p>
      )}
      <p class="small">
        <a href="/docs/">API reference</a>
        {outbox && (
          <>
            {" · "}
            <a href={outbox} target="_blank" rel="noreferrer">
              Email and SMS outbox (local)
            </a>
          </>
        )}
      </p>
    </section>
  );
}
