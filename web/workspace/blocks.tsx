/**
 * Block Kit, rendered the way Slack draws it: header, section (text, fields, accessory), divider, context,
 * actions (buttons with primary/danger styles and confirm dialogs, static selects, overflow menus, date pickers),
 * image, and input blocks in modals. Clicks go to `onAction`; a `confirm` object asks first.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren, JSX } from 'preact';
import type { Block } from '../../src/workspace/snapshot.ts';
import { Mrkdwn, plainWithEmoji, type Names } from './mrkdwn.tsx';

/** A text object (`plain_text` or `mrkdwn`). */
interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

/** An option of a select or overflow menu. */
interface OptionObject {
  text: TextObject;
  value: string;
  description?: TextObject;
}

/** A confirmation dialog object. */
export interface ConfirmObject {
  title?: TextObject;
  text?: TextObject;
  confirm?: TextObject;
  deny?: TextObject;
  style?: 'primary' | 'danger';
}

/** An interactive (or image) element. */
export interface Element {
  type: string;
  action_id?: string;
  text?: TextObject;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmObject;
  options?: OptionObject[];
  option_groups?: { label: TextObject; options: OptionObject[] }[];
  placeholder?: TextObject;
  initial_option?: OptionObject;
  initial_date?: string;
  initial_value?: string;
  multiline?: boolean;
  image_url?: string;
  alt_text?: string;
}

/** What a click sends: the block and element, and the chosen option's value for menus; resolves once the bot answered. */
export type ActionHandler = (blockId: string, element: Element, selectedValue?: string) => Promise<void>;

/** How blocks render: names for mentions, the click handler, and (in modals) the inputs' values. */
export interface BlockContext {
  names: Names;
  onAction: ActionHandler;
  /** Ask before an element's action (its `confirm` object). */
  onConfirm: (confirm: ConfirmObject, proceed: () => void) => void;
  /** Modal inputs: the value of an input, its setter, and errors by block id. */
  inputs?: {
    value(blockId: string, actionId: string): string | null;
    set(blockId: string, actionId: string, value: string | null): void;
    errors: Record<string, string>;
  };
}

/** A text object: mrkdwn rendered, plain text with emoji. */
export function Text({ value, names }: { value: TextObject | undefined; names: Names }): JSX.Element | null {
  if (!value) return null;
  if (value.type === 'mrkdwn') return <Mrkdwn text={value.text} names={names} />;
  return <span>{plainWithEmoji(value.text)}</span>;
}

function allOptions(element: Element): OptionObject[] {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((group) => group.options)];
}

/** Runs `action`, after the element's confirm dialog when it has one. */
function guarded(element: Element, context: BlockContext, action: () => void): void {
  if (element.confirm) context.onConfirm(element.confirm, action);
  else action();
}

function Button({ element, blockId, context }: { element: Element; blockId: string; context: BlockContext }): JSX.Element {
  // Busy from the click until the bot acknowledged it, as Slack shows a spinner on the button.
  const [busy, setBusy] = useState(false);
  const click = () =>
    guarded(element, context, () => {
      setBusy(true);
      void context.onAction(blockId, element).finally(() => setBusy(false));
    });
  const className = `bk-button${element.style ? ` bk-button-${element.style}` : ''}${busy ? ' is-busy' : ''}`;
  if (element.url) {
    return (
      <a
        class={className}
        href={element.url}
        target="_blank"
        rel="noreferrer"
        data-action-id={element.action_id}
        onClick={() => void context.onAction(blockId, element)}
      >
        <Text value={element.text} names={context.names} />
      </a>
    );
  }
  return (
    <button type="button" class={className} data-action-id={element.action_id} aria-busy={busy} onClick={click}>
      <Text value={element.text} names={context.names} />
    </button>
  );
}

let menuIds = 0;

/**
 * A button that opens a list of options, driven by mouse or keys as Slack's menus are: ArrowDown/ArrowUp (and
 * Home/End) move the highlight without choosing, Enter or Space chooses, Escape or Tab closes. Focus stays on the
 * button, which points at the highlighted option (`aria-activedescendant`).
 */
function MenuButton(props: {
  element: Element;
  kind: 'listbox' | 'menu';
  buttonClass: string;
  buttonLabel: string | undefined;
  children: ComponentChildren;
  chosen: string;
  onChoose: (value: string) => void;
}): JSX.Element {
  const options = allOptions(props.element);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [id] = useState(() => `bk-menu-${++menuIds}`);
  useEffect(() => {
    if (!open) return;
    // A click anywhere else closes the menu, as in Slack.
    const close = () => setOpen(false);
    const timer = setTimeout(() => document.addEventListener('click', close, { once: true }));
    return () => {
      clearTimeout(timer);
      document.removeEventListener('click', close);
    };
  }, [open]);
  const show = () => {
    setActive(
      Math.max(
        0,
        options.findIndex((option) => option.value === props.chosen),
      ),
    );
    setOpen(true);
  };
  const choose = (index: number) => {
    const option = options[index];
    setOpen(false);
    if (option) props.onChoose(option.value);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const last = options.length - 1;
    const moves: Record<string, () => void> = open
      ? {
          ArrowDown: () => setActive((index) => Math.min(last, index + 1)),
          ArrowUp: () => setActive((index) => Math.max(0, index - 1)),
          Home: () => setActive(0),
          End: () => setActive(last),
          Enter: () => choose(active),
          ' ': () => choose(active),
          Escape: () => setOpen(false),
        }
      : { ArrowDown: show, ArrowUp: show, Enter: show, ' ': show };
    if (open && event.key === 'Tab') setOpen(false);
    const move = moves[event.key];
    if (!move) return;
    // Handled here: no click on the button, and an Escape does not reach the modal around the menu.
    event.preventDefault();
    event.stopPropagation();
    move();
  };
  const itemRole = props.kind === 'listbox' ? 'option' : 'menuitem';
  return (
    <span class="bk-overflow">
      <button
        type="button"
        class={props.buttonClass}
        data-action-id={props.element.action_id}
        aria-label={props.buttonLabel}
        aria-haspopup={props.kind}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-activedescendant={open ? `${id}-${active}` : undefined}
        onClick={() => (open ? setOpen(false) : show())}
        onKeyDown={onKeyDown}
      >
        {props.children}
      </button>
      {open ? (
        <span class="bk-menu" role={props.kind} id={id} data-testid="menu">
          {options.map((option, index) => (
            <button
              type="button"
              tabIndex={-1}
              id={`${id}-${index}`}
              role={itemRole}
              class={index === active ? 'active' : ''}
              aria-selected={props.kind === 'listbox' ? index === active : undefined}
              data-option-value={option.value}
              onMouseEnter={() => setActive(index)}
              onClick={() => choose(index)}
            >
              {option.text.text}
            </button>
          ))}
        </span>
      ) : null}
    </span>
  );
}

function StaticSelect({ element, blockId, context }: { element: Element; blockId: string; context: BlockContext }): JSX.Element {
  const [chosen, setChosen] = useState(element.initial_option?.value ?? '');
  const label = allOptions(element).find((option) => option.value === chosen)?.text.text ?? element.placeholder?.text ?? 'Select an item';
  const choose = (value: string) => {
    setChosen(value);
    guarded(element, context, () => void context.onAction(blockId, element, value));
  };
  return (
    <MenuButton element={element} kind="listbox" buttonClass="bk-select" buttonLabel={undefined} chosen={chosen} onChoose={choose}>
      {label} <span aria-hidden="true">▾</span>
    </MenuButton>
  );
}

function Overflow({ element, blockId, context }: { element: Element; blockId: string; context: BlockContext }): JSX.Element {
  return (
    <MenuButton
      element={element}
      kind="menu"
      buttonClass="bk-button bk-overflow-button"
      buttonLabel="More actions"
      chosen=""
      onChoose={(value) => guarded(element, context, () => void context.onAction(blockId, element, value))}
    >
      ⋮
    </MenuButton>
  );
}

function DatePicker({ element, blockId, context }: { element: Element; blockId: string; context: BlockContext }): JSX.Element {
  return (
    <input
      type="date"
      class="bk-date"
      data-action-id={element.action_id}
      value={element.initial_date ?? ''}
      onChange={(event) => void context.onAction(blockId, element, (event.currentTarget as HTMLInputElement).value)}
    />
  );
}

/** One interactive element of an actions block or a section accessory. */
function Interactive({ element, blockId, context }: { element: Element; blockId: string; context: BlockContext }): JSX.Element | null {
  switch (element.type) {
    case 'button':
      return <Button element={element} blockId={blockId} context={context} />;
    case 'static_select':
      return <StaticSelect element={element} blockId={blockId} context={context} />;
    case 'overflow':
      return <Overflow element={element} blockId={blockId} context={context} />;
    case 'datepicker':
      return <DatePicker element={element} blockId={blockId} context={context} />;
    case 'image':
      return <img class="bk-accessory-image" src={element.image_url} alt={element.alt_text ?? ''} />;
    default:
      return <span class="bk-unsupported">[{element.type}]</span>;
  }
}

/** An input block's element in a modal, bound to the modal's values. */
function InputElement({ element, blockId, context }: { element: Element; blockId: string; context: BlockContext }): JSX.Element {
  const inputs = context.inputs!;
  const actionId = element.action_id ?? '';
  const value = inputs.value(blockId, actionId) ?? '';
  const set = (next: string) => inputs.set(blockId, actionId, next === '' ? null : next);
  const placeholder = element.placeholder?.text;
  if (element.type === 'static_select') {
    return (
      <select class="bk-input" data-action-id={actionId} value={value} onChange={(event) => set((event.currentTarget as HTMLSelectElement).value)}>
        <option value="">{placeholder ?? 'Select an item'}</option>
        {allOptions(element).map((option) => (
          <option value={option.value}>{option.text.text}</option>
        ))}
      </select>
    );
  }
  if (element.type === 'datepicker') {
    return (
      <input
        type="date"
        class="bk-input"
        data-action-id={actionId}
        value={value}
        onInput={(event) => set((event.currentTarget as HTMLInputElement).value)}
      />
    );
  }
  if (element.multiline) {
    return (
      <textarea
        class="bk-input"
        rows={4}
        data-action-id={actionId}
        placeholder={placeholder}
        value={value}
        onInput={(event) => set((event.currentTarget as HTMLTextAreaElement).value)}
      />
    );
  }
  return (
    <input
      type="text"
      class="bk-input"
      data-action-id={actionId}
      placeholder={placeholder}
      value={value}
      onInput={(event) => set((event.currentTarget as HTMLInputElement).value)}
    />
  );
}

function contextElement(element: Element | TextObject, names: Names): ComponentChildren {
  if (element.type === 'image') {
    const image = element as Element;
    return <img class="bk-context-image" src={image.image_url} alt={image.alt_text ?? ''} />;
  }
  return <Text value={element as TextObject} names={names} />;
}

/** One block. */
export function BlockView({ block, context }: { block: Block; context: BlockContext }): JSX.Element | null {
  const blockId = block.block_id ?? '';
  const { names } = context;
  switch (block.type) {
    case 'header':
      return (
        <div class="bk-header">
          <Text value={block.text as TextObject} names={names} />
        </div>
      );
    case 'section': {
      const fields = (block.fields as TextObject[] | undefined) ?? [];
      const accessory = block.accessory as Element | undefined;
      return (
        <div class="bk-section">
          <div class="bk-section-body">
            {block.text ? (
              <div class="bk-section-text">
                <Text value={block.text as TextObject} names={names} />
              </div>
            ) : null}
            {fields.length > 0 ? (
              <div class="bk-fields">
                {fields.map((field) => (
                  <div class="bk-field">
                    <Text value={field} names={names} />
                  </div>
                ))}
              </div>
            ) : null}
          </div>
          {accessory ? (
            <div class="bk-accessory">
              <Interactive element={accessory} blockId={blockId} context={context} />
            </div>
          ) : null}
        </div>
      );
    }
    case 'divider':
      return <hr class="bk-divider" />;
    case 'context':
      return (
        <div class="bk-context">
          {((block.elements as (Element | TextObject)[] | undefined) ?? []).map((element) => contextElement(element, names))}
        </div>
      );
    case 'actions':
      return (
        <div class="bk-actions">
          {((block.elements as Element[] | undefined) ?? []).map((element) => (
            <Interactive element={element} blockId={blockId} context={context} />
          ))}
        </div>
      );
    case 'image':
      return (
        <figure class="bk-image">
          {block.title ? (
            <figcaption>
              <Text value={block.title as TextObject} names={names} />
            </figcaption>
          ) : null}
          <img src={String(block.image_url ?? '')} alt={String(block.alt_text ?? '')} />
        </figure>
      );
    case 'input': {
      const error = context.inputs?.errors[blockId];
      return (
        <label class={`bk-input-block${error ? ' has-error' : ''}`}>
          <span class="bk-input-label">
            {(block.label as TextObject | undefined)?.text}
            {block.optional ? <span class="bk-optional"> (optional)</span> : null}
          </span>
          {context.inputs ? <InputElement element={block.element as Element} blockId={blockId} context={context} /> : null}
          {block.hint ? <span class="bk-hint">{(block.hint as TextObject).text}</span> : null}
          {error ? (
            <span class="bk-error" data-testid="modal-error">
              {error}
            </span>
          ) : null}
        </label>
      );
    }
    default:
      return <div class="bk-unsupported">This message contains a {block.type} block this workspace does not draw.</div>;
  }
}

/** A list of blocks. */
export function Blocks({ blocks, context }: { blocks: readonly Block[]; context: BlockContext }): JSX.Element {
  return (
    <div class="bk">
      {blocks.map((block) => (
        <BlockView key={block.block_id} block={block} context={context} />
      ))}
    </div>
  );
}
