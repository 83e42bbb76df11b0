/** The dialogs: a button's `confirm` object, and the bot's modal (views.open) with its inputs and submit. */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SurfaceView } from '../../src/workspace/snapshot.ts';
import { Blocks, Text, type BlockContext, type ConfirmObject, type Element } from './blocks.tsx';
import type { Names } from './mrkdwn.tsx';

const FOCUSABLE =
  'input:not([disabled]), textarea:not([disabled]), select:not([disabled]), button:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * Keeps the keyboard inside an open dialog: focus moves into it when it opens (its first field, else `initial`),
 * Tab and Shift+Tab cycle within it, Escape closes it, and focus goes back where it was once it is gone.
 */
function useDialogFocus(onEscape: () => void, initial: string): { current: HTMLElement | null } {
  const root = useRef<HTMLElement | null>(null);
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const dialog = root.current;
    if (!dialog) return;
    const first =
      dialog.querySelector<HTMLElement>('.dialog-body input, .dialog-body textarea, .dialog-body select') ??
      dialog.querySelector<HTMLElement>(initial);
    first?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        escape.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
      if (focusable.length === 0) return;
      const index = focusable.indexOf(document.activeElement as HTMLElement);
      const next = event.shiftKey ? (index <= 0 ? focusable.length - 1 : index - 1) : index === focusable.length - 1 ? 0 : index + 1;
      event.preventDefault();
      focusable[next]!.focus();
    };
    dialog.addEventListener('keydown', onKey);
    return () => {
      dialog.removeEventListener('keydown', onKey);
      if (before?.isConnected) before.focus();
    };
  }, []);
  return root;
}

/** Asks before a click whose element carries a `confirm` object. */
export function Confirm({ confirm, onDone }: { confirm: ConfirmObject & { proceed: () => void }; onDone: () => void }): JSX.Element {
  const names: Names = { user: (id) => id, channel: (id) => id };
  const root = useDialogFocus(onDone, '[data-testid="confirm-yes"]');
  return (
    <div class="overlay" data-testid="confirm">
      <div
        class="dialog dialog-small"
        role="dialog"
        aria-modal="true"
        ref={(element) => {
          root.current = element;
        }}
      >
        <div class="dialog-header">{confirm.title?.text ?? 'Are you sure?'}</div>
        <div class="dialog-body">
          <Text value={confirm.text} names={names} />
        </div>
        <div class="dialog-footer">
          <button type="button" class="bk-button" data-testid="confirm-no" onClick={onDone}>
            {confirm.deny?.text ?? 'Cancel'}
          </button>
          <button
            type="button"
            class={`bk-button bk-button-${confirm.style ?? 'primary'}`}
            data-testid="confirm-yes"
            onClick={() => {
              onDone();
              confirm.proceed();
            }}
          >
            {confirm.confirm?.text ?? 'Yes'}
          </button>
        </div>
      </div>
    </div>
  );
}

/** The open modal: its blocks, inputs bound to local values, errors from the bot, Cancel and Submit. */
export function Modal(props: {
  modal: SurfaceView;
  context: BlockContext;
  onSubmit: (values: Record<string, Record<string, string | null>>) => void;
  onClose: () => void;
  busy: boolean;
}): JSX.Element {
  const { modal } = props;
  const [values, setValues] = useState<Record<string, Record<string, string | null>>>(() => {
    const initial: Record<string, Record<string, string | null>> = {};
    for (const block of modal.blocks) {
      const element = block.element as Element | undefined;
      if (block.type !== 'input' || !element?.action_id || !block.block_id) continue;
      initial[block.block_id] = {
        [element.action_id]: element.initial_value ?? element.initial_option?.value ?? element.initial_date ?? null,
      };
    }
    return initial;
  });
  const context: BlockContext = {
    ...props.context,
    inputs: {
      value: (blockId, actionId) => values[blockId]?.[actionId] ?? null,
      set: (blockId, actionId, value) =>
        setValues((current) => ({
          ...current,
          [blockId]: { ...current[blockId], [actionId]: value },
        })),
      errors: modal.errors ?? {},
    },
  };
  const root = useDialogFocus(props.onClose, '[data-testid="modal-submit"], [data-testid="modal-cancel"]');
  return (
    <div class="overlay">
      <form
        ref={(element) => {
          root.current = element;
        }}
        class="dialog"
        role="dialog"
        aria-modal="true"
        data-testid="modal"
        onSubmit={(event) => {
          event.preventDefault();
          props.onSubmit(values);
        }}
      >
        <div class="dialog-header">
          <span class="dialog-app">
            <span class="avatar avatar-small app-avatar">OO</span>
          </span>
          {modal.title ?? 'ontology-ops'}
          <button type="button" class="dialog-close" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </div>
        <div class="dialog-body">
          <Blocks blocks={modal.blocks} context={context} />
        </div>
        <div class="dialog-footer">
          <button type="button" class="bk-button" data-testid="modal-cancel" onClick={props.onClose}>
            {modal.close ?? 'Cancel'}
          </button>
          {modal.submit ? (
            <button type="submit" class="bk-button bk-button-primary" data-testid="modal-submit" disabled={props.busy}>
              {modal.submit}
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}
