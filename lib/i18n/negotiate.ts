import { match } from "@formatjs/intl-localematcher";
import Negotiator from "negotiator";
import { isLocale, LOCALES, type Locale } from "./locales";

/**
 * The locale of a request: the user's choice (the NEXT_LOCALE cookie, when it names a supported locale),
 * else the best match of `Accept-Language` (RFC 9110 §12.5.4 quality values, parsed by `negotiator`;
 * best-fit matching of e.g. `de-AT` to `de` by `@formatjs/intl-localematcher`, ECMA-402 LookupMatcher/BestFitMatcher),
 * else `defaultLocale` (DEFAULT_LOCALE). Never throws: a malformed header counts as absent.
 */
export function negotiateLocale(input: { cookie?: string | null; acceptLanguage?: string | null; defaultLocale: Locale }): Locale {
  if (isLocale(input.cookie)) return input.cookie;
  if (input.acceptLanguage) {
    try {
      const requested = new Negotiator({ headers: { "accept-language": input.acceptLanguage } }).languages();
      // "*" means "any": leave the choice to DEFAULT_LOCALE.
      const wanted = requested.filter((l) => l !== "*");
      if (wanted.length > 0) {
        const best = match(wanted, LOCALES as unknown as string[], input.defaultLocale);
        if (isLocale(best)) return best;
      }
    } catch {
      // Invalid language tags (Intl.getCanonicalLocales throws RangeError): fall through to the default.
    }
  }
  return input.defaultLocale;
}
