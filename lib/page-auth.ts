import "server-only";
import { redirect } from "next/navigation";
import { getCaller, type Caller } from "@/lib/auth";

/** The signed-in caller of a page, or a redirect to /login that returns to `path` afterwards. */
export async function requireCaller(path: string): Promise<Caller> {
  const caller = await getCaller();
  if (!caller) redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  return caller;
}
