// The signed-in user's account: who they are, their groups, and a second factor for signing in
// (an authenticator app, TOTP), which the user pool offers to every user.
import { useState } from "preact/hooks";
import { associateAuthenticator, enableAuthenticator, mfaEnabled, setAuthenticator } from "../auth/cognito";
import { useSession } from "../auth/session";
import { Field } from "../components/Field";
import { Gate } from "../components/Layout";
import { ErrorNotice, Info, Loading } from "../components/Notice";
import { useAction, useLoad } from "../components/useLoad";

export function Account() {
  return (
    <Gate need="signed_in">
      <h1>Your account</h1>
      <Details />
      <Authenticator />
    </Gate>
  );
}

function Details() {
  const session = useSession();
  const claims = session?.claims;
  if (!claims) return null;
  return (
    <section class="panel" aria-labelledby="who-heading">
      <h2 id="who-heading">Signed in</h2>
      <p>
        {claims.email}
        {claims.groups.length ? ` · groups: ${claims.groups.join(", ")}` : " · no groups"}
      </p>
    </section>
  );
}

function Authenticator() {
  const session = useSession();
  const token = session?.tokens.accessToken ?? "";
  const status = useLoad(() => mfaEnabled(token), [token]);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [code, setCode] = useState("");
  const [done, setDone] = useState<string | undefined>(undefined);
  const action = useAction();
  const label = `Service console (${session?.claims.email ?? ""})`;
  const uri = secret && `otpauth://totp/${encodeURIComponent(label)}?secret=${secret}&issuer=${encodeURIComponent("Service console")}`;
  return (
    <section class="panel" aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">Two-step sign-in</h2>
      {status.loading && status.data === undefined && <Loading what="your sign-in settings" />}
      <ErrorNotice error={status.error ?? action.error} />
      {done && <Info>{done}</Info>}
      {status.data === true && (
        <>
          <p>An authenticator app's code is asked for at every sign-in.</p>
          <button
            type="button"
            class="secondary"
            disabled={action.busy}
            onClick={() =>
              void action.run(() => setAuthenticator(token, false)).then((off) => {
                if (off) setDone("Two-step sign-in is off.");
                status.reload();
              })
            }
          >
            Turn off two-step sign-in
          </button>
        </>
      )}
      {status.data === false && !secret && (
        <>
          <p>Add an authenticator app (TOTP) so that a password alone cannot sign in as you.</p>
          <button type="button" disabled={action.busy} onClick={() => void action.run(() => associateAuthenticator(token)).then(setSecret)}>
            Set up an authenticator app
          </button>
        </>
      )}
      {status.data === false && secret && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => enableAuthenticator(token, code.trim())).then((on) => {
              if (!on) return;
              setSecret(undefined);
              setDone("Two-step sign-in is on: your app's code is asked for at every sign-in.");
              status.reload();
            });
          }}
        >
          <p>
            In your authenticator app, add an account with this key: <code class="secret">{secret}</code> (or open{" "}
            <a href={uri}>this link</a> on the phone that has the app). Then enter the code it shows.
          </p>
          <Field label="Code from the app" name="mfa_code" value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" required />
          <button type="submit" disabled={action.busy}>
            Turn on two-step sign-in
          </button>
        </form>
      )}
    </section>
  );
}
