"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";

/**
 * A yes/no question in the native modal `<dialog>` (HTML's own focus trap, inert background, Escape):
 * opens when `open` turns true, focuses the safe answer (`cancelLabel`), and gives focus back to the element
 * that had it before (the button that asked) when it closes. Escape and the safe answer call `onCancel`.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, cancelLabel, onConfirm, onCancel }: { open: boolean; title: ReactNode; children?: ReactNode; confirmLabel: ReactNode; cancelLabel: ReactNode; onConfirm(): void; onCancel(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const safe = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      safe.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  // Focus goes back to the button that opened the dialog (if it is still on the page).
  const restore = () => {
    const el = opener.current;
    opener.current = null;
    if (el && el.isConnected) el.focus();
  };
  // Closes at once and gives focus back before acting, so what the answer changes (e.g. the opener's row
  // losing its buttons) finds focus where the user was, not inside a closing dialog.
  const answer = (act: () => void) => {
    if (ref.current?.open) ref.current.close();
    restore();
    act();
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      className="m-auto max-w-md rounded border border-slate-300 bg-white p-6 text-slate-900 shadow-lg backdrop:bg-slate-900/50"
      onCancel={(e) => {
        // Escape: the safe answer.
        e.preventDefault();
        answer(onCancel);
      }}
      onClose={restore}
      data-testid="confirm-dialog"
    >
      <h2 id={titleId} className="text-lg font-semibold">{title}</h2>
      {children && <div id={bodyId} className="mt-2 text-sm text-slate-800">{children}</div>}
      <div className="mt-4 flex flex-wrap justify-end gap-2">
        <button ref={safe} type="button" onClick={() => answer(onCancel)} className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800">{cancelLabel}</button>
        <button type="button" onClick={() => answer(onConfirm)} className="rounded border border-red-700 px-3 py-1 text-sm text-red-800 hover:bg-red-50">{confirmLabel}</button>
      </div>
    </dialog>
  );
}
