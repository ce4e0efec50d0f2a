// Amazon Cognito's user pool API, called from the browser as the AWS SDK would call it: a JSON
// POST naming the action in X-Amz-Target. Only the few actions the console needs, so no SDK is
// shipped to a kiosk.
import { config } from "./config";

export type Tokens = { idToken: string; accessToken: string; refreshToken: string; expiresAt: number };

export type SignInResult =
  | { kind: "signed_in"; tokens: Tokens }
  | { kind: "mfa"; session: string; username: string }
  | { kind: "new_password"; session: string; username: string };

/** An error Cognito answered, in words a person can act on. */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const FRIENDLY: Record<string, string> = {
  NotAuthorizedException: "Wrong email or password.",
  UserNotFoundException: "Wrong email or password.",
  UserNotConfirmedException: "Confirm your email first: enter the code we sent you.",
  UsernameExistsException: "An account with this email already exists; sign in instead.",
  CodeMismatchException: "That code is not right; check it and try again.",
  ExpiredCodeException: "That code has expired; ask for a new one.",
  InvalidPasswordException: "The password is too weak: at least 10 characters with upper and lower case letters and a number.",
  LimitExceededException: "Too many attempts; wait a few minutes and try again.",
  TooManyRequestsException: "Too many attempts; wait a moment and try again.",
};

async function call<T>(action: string, body: Record<string, unknown>): Promise<T> {
  const { cognito_endpoint } = await config();
  let response: Response;
  try {
    response = await fetch(cognito_endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new CognitoError("Network", "Sign-in cannot be reached. Check the connection and try again.");
  }
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const type = String(json.__type ?? json.code ?? "Unknown").split("#").pop() ?? "Unknown";
    const message = FRIENDLY[type] ?? String(json.message ?? json.Message ?? "Sign-in failed; try again.");
    throw new CognitoError(type, message);
  }
  return json as T;
}

type AuthenticationResult = { IdToken: string; AccessToken: string; RefreshToken?: string; ExpiresIn: number };
type AuthResponse = { AuthenticationResult?: AuthenticationResult; ChallengeName?: string; Session?: string };

function tokensOf(result: AuthenticationResult, refreshToken?: string): Tokens {
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? refreshToken ?? "",
    expiresAt: Date.now() + result.ExpiresIn * 1000,
  };
}

function outcome(answer: AuthResponse, username: string): SignInResult {
  if (answer.AuthenticationResult) return { kind: "signed_in", tokens: tokensOf(answer.AuthenticationResult) };
  if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA" && answer.Session) {
    return { kind: "mfa", session: answer.Session, username };
  }
  if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED" && answer.Session) {
    return { kind: "new_password", session: answer.Session, username };
  }
  throw new CognitoError("Challenge", `Sign-in needs a step the console does not offer (${answer.ChallengeName}).`);
}

export async function signIn(email: string, password: string): Promise<SignInResult> {
  const { client_id } = await config();
  const answer = await call<AuthResponse>("InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: client_id,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return outcome(answer, email);
}

export async function answerMfa(session: string, username: string, code: string): Promise<SignInResult> {
  const { client_id } = await config();
  const answer = await call<AuthResponse>("RespondToAuthChallenge", {
    ChallengeName: "SOFTWARE_TOKEN_MFA",
    ClientId: client_id,
    Session: session,
    ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return outcome(answer, username);
}

export async function refresh(refreshToken: string): Promise<Tokens> {
  const { client_id } = await config();
  const answer = await call<AuthResponse>("InitiateAuth", {
    AuthFlow: "REFRESH_TOKEN_AUTH",
    ClientId: client_id,
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
  if (!answer.AuthenticationResult) throw new CognitoError("Refresh", "Your session has ended; sign in again.");
  return tokensOf(answer.AuthenticationResult, refreshToken);
}

export async function signUp(email: string, password: string): Promise<true> {
  const { client_id } = await config();
  await call("SignUp", {
    ClientId: client_id,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: "email", Value: email }],
  });
  return true;
}

export async function confirmSignUp(email: string, code: string): Promise<true> {
  const { client_id } = await config();
  await call("ConfirmSignUp", { ClientId: client_id, Username: email, ConfirmationCode: code });
  return true;
}

export async function resendCode(email: string): Promise<true> {
  const { client_id } = await config();
  await call("ResendConfirmationCode", { ClientId: client_id, Username: email });
  return true;
}

/** What the user pool says of the signed-in user: whether their authenticator app is on. */
export async function mfaEnabled(accessToken: string): Promise<boolean> {
  const user = await call<{ UserMFASettingList?: string[] }>("GetUser", { AccessToken: accessToken });
  return (user.UserMFASettingList ?? []).includes("SOFTWARE_TOKEN_MFA");
}

/** Starts enrolling an authenticator app: the secret to enter in it. */
export async function associateAuthenticator(accessToken: string): Promise<string> {
  const answer = await call<{ SecretCode: string }>("AssociateSoftwareToken", { AccessToken: accessToken });
  return answer.SecretCode;
}

/** Finishes enrolling with a code the app shows, and makes it the sign-in's second factor. */
export async function enableAuthenticator(accessToken: string, code: string): Promise<true> {
  const verified = await call<{ Status?: string }>("VerifySoftwareToken", {
    AccessToken: accessToken,
    UserCode: code,
    FriendlyDeviceName: "console",
  });
  if (verified.Status && verified.Status !== "SUCCESS") {
    throw new CognitoError("CodeMismatchException", "That code is not right; check the app and try again.");
  }
  await setAuthenticator(accessToken, true);
  return true;
}

/** Turns the authenticator app on or off as the second factor. */
export async function setAuthenticator(accessToken: string, enabled: boolean): Promise<true> {
  await call("SetUserMFAPreference", {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
  });
  return true;
}
