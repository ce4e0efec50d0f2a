// Small words for the walk-in screens.

/** "about 4 minutes" for a wait in seconds; "a few moments" under a minute. */
export function waitInWords(seconds: number | null | undefined): string | undefined {
  if (seconds === null || seconds === undefined) return undefined;
  if (seconds < 60) return "a few moments";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h ${rest} min`;
}

/** "12 min" for a time waited in seconds. */
export function waited(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function tierName(tier: string): string {
  return tier === "vip" ? "VIP" : "Regular";
}

/** Why `raw` cannot be a customer id (ids the registry hands out are short and use letters,
 * digits and `-_.:`), or nothing when it may be one. */
export function customerIdProblem(raw: string): string | undefined {
  const id = raw.trim();
  if (!id) return "Enter the customer id shown when the customer was registered or called.";
  if (id.length > 64 || !/^[A-Za-z0-9._:-]+$/.test(id)) {
    return "That is not a customer id: it looks like 3b1e0f52-8d4c-4a8e-b0f1-6f2d9c7e5a13, as shown when the customer was registered or called.";
  }
  return undefined;
}
