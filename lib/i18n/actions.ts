"use server";

import { cookies } from "next/headers";
import { isLocale, LOCALE_COOKIE } from "./locales";

/** One year, seconds: the choice of language outlives sign-ins. */
const LOCALE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Server action of the language switcher: keeps the chosen locale in the NEXT_LOCALE cookie (SameSite=Lax,
 * not HttpOnly-sensitive: it holds only a language tag). An unknown locale is ignored. Setting a cookie in a
 * server action makes Next re-render the current page, now in the new language.
 */
export async function setLocale(formData: FormData): Promise<void> {
  const locale = formData.get("locale");
  if (!isLocale(locale)) return;
  (await cookies()).set(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", maxAge: LOCALE_COOKIE_MAX_AGE_SECONDS });
}
