// Every view of the console, who it is for, and where it lives: the navigation and the home page
// offer a user only what their groups allow (the API still decides).
import { type Claims, mayActAs } from "./auth/claims";

export type Audience = "public" | "signed_in" | "staff" | "provider" | "analyst" | "admin";

export type View = { path: string; title: string; summary: string; audience: Audience };

export const VIEWS: View[] = [
  { path: "/console/walkin/kiosk", title: "Kiosk", summary: "Check in at the door and follow your ticket.", audience: "public" },
  { path: "/console/walkin/board", title: "Queue board", summary: "Who is called, and the waiting tickets, for a TV.", audience: "public" },
  { path: "/console/walkin/desk", title: "Desk", summary: "Register customers and call the next one.", audience: "staff" },
  { path: "/console/booking", title: "Booking", summary: "Find a provider, book and manage appointments.", audience: "public" },
];

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
