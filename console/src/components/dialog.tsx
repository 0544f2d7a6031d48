import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { describeError } from '../api.js';

/**
 * Modal dialogs on the native `<dialog>` element: showModal() makes the rest of the page inert,
 * keeps Tab inside the dialog and closes on Escape. On open, focus goes to the element marked
 * `data-autofocus` (or the first field); on close it returns to whatever opened the dialog.
 */

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** Wider layout for dialogs that show a command or a manifest. */
  wide?: boolean;
}

/** A modal dialog, open while it is mounted. */
export function Dialog({ title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    const target =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>('input, select, textarea, button:not(.dialog-close)');
    target?.focus();
    // Escape fires `cancel`; the parent decides (unmounting closes the dialog).
    const onCancel = (e: Event) => {
      e.preventDefault();
      closeRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} class={wide ? 'dialog wide' : 'dialog'} aria-labelledby={titleId}>
      <div class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="dialog-close" aria-label="Close" onClick={() => onClose()}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

export interface ConfirmProps {
  title: string;
  /** What will happen, in words. */
  message: ComponentChildren;
  confirmLabel: string;
  /** Red confirm button for actions that remove or revoke something. */
  danger?: boolean;
  /** Extra fields (a version, a force checkbox). */
  children?: ComponentChildren;
  /** Runs the action; a thrown error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** Disables the confirm button (e.g. while a required field is empty). */
  disabled?: boolean;
}

/** A confirmation dialog for an action: shows the hub's problem detail if the action fails. */
export function ConfirmDialog(props: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const errorId = useId();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit} aria-describedby={error ? errorId : undefined}>
        <div class="dialog-body">
          <div class="dialog-message">{props.message}</div>
          {props.children}
          {error && (
            <p id={errorId} role="alert" class="error">
              {error}
            </p>
          )}
        </div>
        <div class="dialog-actions">
          <button type="button" onClick={() => props.onClose()} data-autofocus={props.danger ? true : undefined}>
            Cancel
          </button>
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy || props.disabled}>
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
