import type en from "../messages/en.json";
import type { Locale } from "@/lib/i18n/locales";

/**
 * Typed translations: `t("key")` must name a key of messages/en.json (the reference catalogue) and pass
 * the ICU arguments it declares; a typo fails `tsc`. The other catalogues are checked against en.json by
 * tests/unit/i18n-catalogues.test.ts.
 */
declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof en;
  }
}
