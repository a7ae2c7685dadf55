import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; name: string; displayName: string; sysadmin: boolean };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    ckanName?: string;
    displayName?: string;
    sysadmin?: boolean;
    ckanToken?: string;
  }
}
