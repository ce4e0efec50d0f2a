// What the console reads from an ID token: who, their email and groups, and when it expires. The
// signature is the API's business; the console only decides what to offer.
export type Claims = { sub: string; email: string; groups: string[]; exp: number };

export function claimsOf(idToken: string): Claims | undefined {
  const payload = idToken.split(".")[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replaceAll("-", "+").replaceAll("_", "/");
    const json = JSON.parse(decodeURIComponent(escape(atob(base64)))) as Record<string, unknown>;
    const groups = Array.isArray(json["cognito:groups"]) ? (json["cognito:groups"] as string[]) : [];
    return { sub: String(json.sub ?? ""), email: String(json.email ?? ""), groups, exp: Number(json.exp ?? 0) };
  } catch {
    return undefined;
  }
}

/** In `group`, or an admin (who may do everything), as the API decides it. */
export function mayActAs(claims: Claims | undefined, group: string): boolean {
  return !!claims && (claims.groups.includes("admin") || claims.groups.includes(group));
}
