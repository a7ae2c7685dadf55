"use client";

import { useEffect, useState } from "react";

/**
 * False during server rendering and until React has hydrated this component, then true. Controls
 * whose behaviour lives in JavaScript stay disabled until then, so an early click or file choice is
 * never lost.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
