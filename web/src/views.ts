// Every view of the console, who it is for, and where it lives: the navigation and the home page
// offer a user only what their groups allow (the API still decides).
import { type Claims, mayActAs } from "./auth/claims";

export type Audience = "public" | "signed_in" | "staff" | "provider" | "analyst" | "admin";

export type View = {
  path: string;
  title: string;
  summary: string;
  audience: Audience;
  /** What this view also offers to a group (said on the start page to its members). */
  more?: Partial<Record<"staff" | "admin" | "provider", string>>;
};

export const VIEWS: View[] = [
  { path: "/console/walkin/kiosk", title: "Kiosk", summary: "Check in at the door and follow your ticket.", audience: "public" },
  { path: "/console/walkin/board", title: "Queue board", summary: "Who is called, and the waiting tickets, for a TV.", audience: "public" },
  { path: "/console/walkin/desk", title: "Desk", summary: "Register customers and call the next one.", audience: "staff" },
  {
    path: "/console/booking",
    title: "Booking",
    summary: "Find a provider, book and manage appointments.",
    audience: "public",
    more: { provider: "Publish your availability and see your appointments." },
  },
  { path: "/console/alerts", title: "Price alerts", summary: "Emails with the cheapest listings for a search, and price charts.", audience: "signed_in" },
  {
    path: "/console/orders",
    title: "Orders",
    summary: "Place an order and follow it until it is processed.",
    audience: "signed_in",
    more: { staff: "See the processing metrics and whether orders are generated.", admin: "Start and stop order generation." },
  },
  { path: "/console/analytics", title: "Analytics", summary: "Order value, top customers, sales by province and events.", audience: "analyst" },
];

/** What a view offers this user: its summary and what their groups add. */
export function offer(view: View, claims: Claims | undefined): string {
  const extra = (["provider", "staff", "admin"] as const)
    .filter((group) => view.more?.[group] && (group === "admin" ? claims?.groups.includes("admin") : mayActAs(claims, group)))
    .map((group) => view.more?.[group]);
  return [view.summary, ...extra].join(" ");
}

export function allowed(view: View, claims: Claims | undefined): boolean {
  switch (view.audience) {
    case "public":
      return true;
    case "signed_in":
      return !!claims;
    default:
      return mayActAs(claims, view.audience);
  }
}
