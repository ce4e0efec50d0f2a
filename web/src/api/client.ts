// The API client, typed from the OpenAPI description (`npm run gen` writes ./schema.d.ts from
// ../api/openapi.yaml): a request or response that drifts from the description fails the
// type-check. Every request carries the signed-in user's token; every error is turned into the
// API's own message, which the views show as it is.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths, components } from "./schema";
import { current, currentToken, end } from "../auth/session";

export type Schemas = components["schemas"];

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await currentToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    // A token the API no longer takes (expired, revoked): the session is over.
    if (response.status === 401 && request.headers.has("Authorization") && current()) {
      end("Your session has expired; sign in again.");
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(auth);

/** The same API without the user's token: public screens (the board on a TV, the kiosk) must
 * show what the public sees even when someone signed in on that browser. */
export const publicApi = createClient<paths>({ baseUrl: "" });

/** An API error as the contract gives it, with the status it came with (and, for a 429 or a 503,
 * the seconds its `Retry-After` asked to wait). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** `Retry-After` in seconds (the API sends seconds), if it is there and a number. */
export function retryAfterOf(response: Response): number | undefined {
  const text = response.headers.get("Retry-After")?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The body of a successful answer, or an ApiError carrying the API's message. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, "network", "The service cannot be reached. Check the connection and try again.");
  }
  if (answer.response.ok && answer.data !== undefined) return answer.data;
  throw errorOf(answer.response.status, answer.error, retryAfterOf(answer.response));
}

/** The contract's `{"error": {"code", "message"}}`, or a plain sentence for anything else. */
export function errorOf(status: number, body: unknown, retryAfter?: number): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    return new ApiError(status, error.code, error.message, retryAfter);
  }
  if (status === 429) return new ApiError(status, "too_many_requests", "Too many requests; wait a moment and try again.", retryAfter);
  return new ApiError(status, "unexpected", `The service answered ${status} unexpectedly; try again.`);
}

/** A message to show for anything a call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong; try again.";
}

/** A fresh Idempotency-Key: one per user action, reused if that action is retried. */
export function idempotencyKey(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/** Whether the same request may be sent again with the same Idempotency-Key: when no answer came
 * or the service failed (5xx). Any other answer is final for that key (the API replays it), so a
 * corrected or repeated action takes a new key. */
export function keepsKey(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}
