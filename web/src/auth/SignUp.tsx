// Create an account (Cognito SignUp), then confirm the email with the code Cognito sends
// (locally the code arrives in the email outbox), then sign in.
import { useState } from "preact/hooks";
import { Field } from "../components/Field";
import { ErrorNotice, Info } from "../components/Notice";
import { useAction, useLoad } from "../components/useLoad";
import { confirmSignUp, resendCode, signUp } from "./cognito";
import { config } from "./config";

export function SignUp() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [stage, setStage] = useState<"details" | "confirm" | "done">("details");
  const [resent, setResent] = useState(false);
  const action = useAction();
  const outbox = useLoad(() => config().then((c) => c.outbox_url), []).data;

  if (stage === "done") {
    return (
      <section class="narrow">
        <h1>Account confirmed</h1>
        <Info>Your email is confirmed. You can sign in now.</Info>
        <p>
          <a class="button" href="/console/signin">
            Sign in
          </a>
        </p>
      </section>
    );
  }

  if (stage === "confirm") {
    return (
      <section class="narrow">
        <h1>Confirm your email</h1>
        <p>
          We sent a confirmation code to <strong>{email}</strong>.
          {outbox && (
            <>
              {" "}
              Running locally, it is in the <a href={outbox} target="_blank" rel="noreferrer">email outbox</a>.
            </>
          )}
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(() => confirmSignUp(email.trim(), code.trim())).then((done) => done && setStage("done"));
          }}
        >
          <Field label="Confirmation code" name="code" value={code} onValue={setCode} inputMode="numeric" autoComplete="one-time-code" required />
          <ErrorNotice error={action.error} />
          {resent && <Info>A new code is on its way.</Info>}
          <button type="submit" disabled={action.busy}>
            Confirm
          </button>{" "}
          <button type="button" class="secondary" disabled={action.busy} onClick={() => void action.run(() => resendCode(email.trim())).then((sent) => setResent(!!sent))}>
            Send a new code
          </button>
        </form>
      </section>
    );
  }

  return (
    <section class="narrow">
      <h1>Create an account</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(() => signUp(email.trim(), password)).then((done) => done && setStage("confirm"));
        }}
      >
        <Field label="Email" name="email" type="email" value={email} onValue={setEmail} autoComplete="username" required />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="new-password"
          hint="At least 10 characters, with upper and lower case letters and a number."
          required
        />
        <ErrorNotice error={action.error} />
        <button type="submit" disabled={action.busy}>
          Create account
        </button>
      </form>
      <p>
        Already have an account? <a href="/console/signin">Sign in</a>.
      </p>
    </section>
  );
}
