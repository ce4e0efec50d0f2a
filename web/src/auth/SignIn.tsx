// Sign in with email and password (Cognito USER_PASSWORD_AUTH), then the TOTP code where the
// user enrolled in MFA; back to the view that asked.
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Field } from "../components/Field";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction } from "../components/useLoad";
import { type SignInResult, answerMfa, signIn } from "./cognito";
import { endReason, setTokens } from "./session";

/** Only paths inside the console, so a crafted link cannot send the user elsewhere. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith("/console/") && !next.startsWith("//") ? next : "/console/";
}

export function SignIn() {
  const { query, route } = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [mfa, setMfa] = useState<{ session: string; username: string } | undefined>(undefined);
  const action = useAction();
  const ended = endReason();

  const finish = (result: SignInResult | undefined) => {
    if (!result) return;
    if (result.kind === "signed_in") {
      setTokens(result.tokens);
      route(safeNext(query.next));
    } else if (result.kind === "mfa") {
      setMfa({ session: result.session, username: result.username });
    } else {
      action.setError("This account must set a new password; ask an administrator.");
    }
  };

  if (mfa) {
    return (
      <section class="narrow">
        <h1>Enter your code</h1>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => answerMfa(mfa.session, mfa.username, code.trim())).then(finish);
          }}
        >
          <Field label="Code from your authenticator app" name="totp" value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" required />
          <ErrorNotice error={action.error} />
          <button type="submit" disabled={action.busy}>
            Verify
          </button>
        </form>
      </section>
    );
  }

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      {ended && <Info>{ended}</Info>}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(() => signIn(email.trim(), password)).then(finish);
        }}
      >
        <Field label="Email" name="email" type="email" value={email} onValue={setEmail} autoComplete="username" required />
        <Field label="Password" name="password" type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        <ErrorNotice error={action.error} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <a href="/console/signup">Create an account</a>.
      </p>
    </section>
  );
}
