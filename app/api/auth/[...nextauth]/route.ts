import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth";

/** next-auth's routes (sign-in with the "ckan-token" credentials provider, sign-out, session, CSRF). */
async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(req as never, { params: await ctx.params } as never, authOptions());
}

export { handler as GET, handler as POST };
