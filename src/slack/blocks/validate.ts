/**
 * Slack's Block Kit rules in one place, checked on what the bot builds: the block and element kinds it may use,
 * their required fields, the size limits Slack enforces by refusing the call (`invalid_blocks` for a message,
 * `invalid_arguments` for a view), unique `action_id`s within a block and unique `block_id`s within a message or
 * view. The local workspace's Web API and the test fakes refuse what this refuses, so a payload Slack would
 * reject fails where it is built. Limits from Slack's Block Kit reference (blocks, block elements, composition
 * objects, views).
 */

/** Slack's Block Kit limits (characters unless said otherwise). */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  /** Top-level `text` of a message: longer is refused (`msg_too_long`). */
  messageText: 40_000,
  blockId: 255,
  actionId: 255,
  textObject: 3_000,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  url: 3_000,
  placeholder: 150,
  options: 100,
  overflowOptions: 5,
  optionText: 75,
  optionValue: 150,
  inputLabel: 2_000,
  inputHint: 2_000,
  inputMaxLength: 3_000,
  imageAltText: 2_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  viewButton: 24,
  callbackId: 255,
  privateMetadata: 3_000,
} as const;

/** Where blocks are shown: their count limit and which block kinds they may hold differ. */
export type Surface = 'message' | 'modal' | 'home';

type Json = Record<string, unknown>;

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'actions', 'divider', 'input', 'image']);

/** Collects problems as "where: what" lines. */
class Problems {
  readonly list: string[] = [];
  add(where: string, what: string): void {
    this.list.push(`${where}: ${what}`);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(problems: Problems, where: string, value: unknown, max: number, options: { required?: boolean; min?: number } = {}): void {
  if (value === undefined) {
    if (options.required) problems.add(where, 'is missing');
    return;
  }
  if (typeof value !== 'string') return problems.add(where, 'is not a string');
  if (value.length < (options.min ?? (options.required ? 1 : 0))) problems.add(where, 'is empty');
  if (value.length > max) problems.add(where, `is ${value.length} characters (max ${max})`);
}

/** A text object: `plain_text` (or `mrkdwn` when allowed), non-empty, at most `max` characters. */
function checkText(problems: Problems, where: string, value: unknown, max: number, options: { required?: boolean; plainOnly?: boolean } = {}): void {
  if (value === undefined) {
    if (options.required) problems.add(where, 'is missing');
    return;
  }
  if (!isObject(value)) return problems.add(where, 'is not a text object');
  const kinds = options.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!kinds.includes(String(value.type))) problems.add(where, `has type ${String(value.type)} (expected ${kinds.join(' or ')})`);
  checkString(problems, `${where}.text`, value.text, max, { required: true });
}

function checkConfirm(problems: Problems, where: string, value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value)) return problems.add(where, 'is not a confirm object');
  checkText(problems, `${where}.title`, value.title, SLACK_LIMITS.confirmTitle, { required: true, plainOnly: true });
  checkText(problems, `${where}.text`, value.text, SLACK_LIMITS.confirmText, { required: true });
  checkText(problems, `${where}.confirm`, value.confirm, SLACK_LIMITS.confirmButton, { required: true, plainOnly: true });
  checkText(problems, `${where}.deny`, value.deny, SLACK_LIMITS.confirmButton, { required: true, plainOnly: true });
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') problems.add(`${where}.style`, 'must be primary or danger');
}

function checkOptions(problems: Problems, where: string, value: unknown, max: number): string[] {
  if (!Array.isArray(value)) {
    problems.add(where, 'is missing');
    return [];
  }
  if (value.length === 0) problems.add(where, 'is empty');
  if (value.length > max) problems.add(where, `has ${value.length} options (max ${max})`);
  return value.map((option, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(option)) {
      problems.add(at, 'is not an option object');
      return '';
    }
    checkText(problems, `${at}.text`, option.text, SLACK_LIMITS.optionText, { required: true });
    checkString(problems, `${at}.value`, option.value, SLACK_LIMITS.optionValue, { required: true });
    return typeof option.value === 'string' ? option.value : '';
  });
}

/** An interactive or image element inside an actions, section (accessory), context or input block. */
function checkElement(problems: Problems, where: string, element: unknown, place: 'actions' | 'accessory' | 'input'): void {
  if (!isObject(element)) return problems.add(where, 'is not an element');
  checkString(problems, `${where}.action_id`, element.action_id, SLACK_LIMITS.actionId, { min: 1 });
  checkConfirm(problems, `${where}.confirm`, element.confirm);
  switch (element.type) {
    case 'button':
      if (place === 'input') problems.add(where, 'a button cannot be an input element');
      checkText(problems, `${where}.text`, element.text, SLACK_LIMITS.buttonText, { required: true, plainOnly: true });
      checkString(problems, `${where}.value`, element.value, SLACK_LIMITS.buttonValue);
      checkString(problems, `${where}.url`, element.url, SLACK_LIMITS.url, { min: 1 });
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') problems.add(`${where}.style`, 'must be primary or danger');
      return;
    case 'static_select': {
      checkText(problems, `${where}.placeholder`, element.placeholder, SLACK_LIMITS.placeholder, { plainOnly: true });
      let values: string[];
      if (element.option_groups !== undefined) {
        if (element.options !== undefined) problems.add(where, 'has both options and option_groups');
        const groups = Array.isArray(element.option_groups) ? element.option_groups : [];
        values = groups.flatMap((group, index) => checkOptions(problems, `${where}.option_groups[${index}].options`, isObject(group) ? group.options : undefined, SLACK_LIMITS.options));
      } else {
        values = checkOptions(problems, `${where}.options`, element.options, SLACK_LIMITS.options);
      }
      const initial = element.initial_option;
      if (isObject(initial) && !values.includes(String(initial.value))) problems.add(`${where}.initial_option`, 'is not one of the options');
      return;
    }
    case 'overflow':
      if (place === 'input') problems.add(where, 'an overflow menu cannot be an input element');
      checkOptions(problems, `${where}.options`, element.options, SLACK_LIMITS.overflowOptions);
      return;
    case 'datepicker':
      checkText(problems, `${where}.placeholder`, element.placeholder, SLACK_LIMITS.placeholder, { plainOnly: true });
      if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date))) problems.add(`${where}.initial_date`, 'is not YYYY-MM-DD');
      return;
    case 'plain_text_input': {
      if (place !== 'input') problems.add(where, 'a plain_text_input belongs in an input block');
      checkText(problems, `${where}.placeholder`, element.placeholder, SLACK_LIMITS.placeholder, { plainOnly: true });
      const { min_length: min, max_length: max } = element;
      if (min !== undefined && (!Number.isInteger(min) || (min as number) < 0 || (min as number) > SLACK_LIMITS.inputMaxLength)) problems.add(`${where}.min_length`, `must be 0–${SLACK_LIMITS.inputMaxLength}`);
      if (max !== undefined && (!Number.isInteger(max) || (max as number) < 1 || (max as number) > SLACK_LIMITS.inputMaxLength)) problems.add(`${where}.max_length`, `must be 1–${SLACK_LIMITS.inputMaxLength}`);
      if (typeof min === 'number' && typeof max === 'number' && min > max) problems.add(where, 'min_length is above max_length');
      checkString(problems, `${where}.initial_value`, element.initial_value, typeof max === 'number' ? max : SLACK_LIMITS.inputMaxLength);
      return;
    }
    case 'image':
      if (place !== 'accessory') problems.add(where, 'an image element belongs in a section accessory or a context block');
      checkString(problems, `${where}.image_url`, element.image_url, SLACK_LIMITS.url, { required: true });
      checkString(problems, `${where}.alt_text`, element.alt_text, SLACK_LIMITS.imageAltText, { required: true });
      return;
    default:
      problems.add(where, `has unknown element type ${String(element.type)}`);
  }
}

function checkBlock(problems: Problems, where: string, block: Json, surface: Surface): void {
  const list = (name: string) => (Array.isArray(block[name]) ? (block[name] as unknown[]) : null);
  switch (block.type) {
    case 'header':
      checkText(problems, `${where}.text`, block.text, SLACK_LIMITS.headerText, { required: true, plainOnly: true });
      return;
    case 'section': {
      const fields = list('fields');
      if (block.text === undefined && fields === null) problems.add(where, 'has neither text nor fields');
      checkText(problems, `${where}.text`, block.text, SLACK_LIMITS.sectionText);
      if (block.fields !== undefined) {
        if (fields === null || fields.length === 0) problems.add(`${where}.fields`, 'is empty');
        else if (fields.length > SLACK_LIMITS.sectionFields) problems.add(`${where}.fields`, `has ${fields.length} fields (max ${SLACK_LIMITS.sectionFields})`);
        fields?.forEach((field, index) => checkText(problems, `${where}.fields[${index}]`, field, SLACK_LIMITS.fieldText, { required: true }));
      }
      if (block.accessory !== undefined) checkElement(problems, `${where}.accessory`, block.accessory, 'accessory');
      return;
    }
    case 'context': {
      const elements = list('elements');
      if (elements === null || elements.length === 0) return problems.add(`${where}.elements`, 'is empty');
      if (elements.length > SLACK_LIMITS.contextElements) problems.add(`${where}.elements`, `has ${elements.length} elements (max ${SLACK_LIMITS.contextElements})`);
      elements.forEach((element, index) => {
        const at = `${where}.elements[${index}]`;
        if (isObject(element) && element.type === 'image') checkElement(problems, at, element, 'accessory');
        else checkText(problems, at, element, SLACK_LIMITS.textObject, { required: true });
      });
      return;
    }
    case 'actions': {
      const elements = list('elements');
      if (elements === null || elements.length === 0) return problems.add(`${where}.elements`, 'is empty');
      if (elements.length > SLACK_LIMITS.actionsElements) problems.add(`${where}.elements`, `has ${elements.length} elements (max ${SLACK_LIMITS.actionsElements})`);
      elements.forEach((element, index) => checkElement(problems, `${where}.elements[${index}]`, element, 'actions'));
      const ids = elements.map((element) => (isObject(element) ? element.action_id : undefined)).filter((id): id is string => typeof id === 'string');
      for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index))) problems.add(where, `action_id "${id}" is used by more than one element (it must be unique within a block)`);
      return;
    }
    case 'input':
      if (surface === 'message') problems.add(where, 'an input block belongs in a modal or Home tab');
      checkText(problems, `${where}.label`, block.label, SLACK_LIMITS.inputLabel, { required: true, plainOnly: true });
      checkText(problems, `${where}.hint`, block.hint, SLACK_LIMITS.inputHint, { plainOnly: true });
      if (block.element === undefined) problems.add(`${where}.element`, 'is missing');
      else checkElement(problems, `${where}.element`, block.element, 'input');
      return;
    case 'image':
      checkString(problems, `${where}.image_url`, block.image_url, SLACK_LIMITS.url, { required: true });
      checkString(problems, `${where}.alt_text`, block.alt_text, SLACK_LIMITS.imageAltText, { required: true });
      checkText(problems, `${where}.title`, block.title, SLACK_LIMITS.imageAltText, { plainOnly: true });
      return;
    default:
  }
}

/** Problems of a list of blocks on `surface` (empty when Slack would accept them). */
export function blocksProblems(blocks: unknown, surface: Surface): string[] {
  const problems = new Problems();
  if (!Array.isArray(blocks)) {
    problems.add('blocks', 'is not a list');
    return problems.list;
  }
  const max = surface === 'message' ? SLACK_LIMITS.messageBlocks : SLACK_LIMITS.viewBlocks;
  if (blocks.length > max) problems.add('blocks', `has ${blocks.length} blocks (max ${max} in a ${surface})`);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const where = `blocks[${index}]`;
    if (!isObject(block)) return problems.add(where, 'is not an object');
    if (!BLOCK_TYPES.has(String(block.type))) return problems.add(where, `has unknown block type ${String(block.type)}`);
    checkString(problems, `${where}.block_id`, block.block_id, SLACK_LIMITS.blockId, { min: 1 });
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) problems.add(where, `block_id "${block.block_id}" is used by more than one block (it must be unique within a ${surface})`);
      blockIds.add(block.block_id);
    }
    checkBlock(problems, `${where} (${String(block.type)})`, block, surface);
  });
  return problems.list;
}

/** Problems of a message payload (`text` and `blocks`), as `chat.postMessage` / `chat.update` / a `response_url` take it. */
export function messageProblems(message: { text?: unknown; blocks?: unknown }): string[] {
  const problems = new Problems();
  const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
  if (message.text !== undefined && typeof message.text !== 'string') problems.add('text', 'is not a string');
  if (!hasBlocks && (typeof message.text !== 'string' || message.text === '')) problems.add('message', 'has neither text nor blocks');
  if (typeof message.text === 'string' && message.text.length > SLACK_LIMITS.messageText) problems.add('text', `is ${message.text.length} characters (max ${SLACK_LIMITS.messageText})`);
  return [...problems.list, ...(message.blocks === undefined ? [] : blocksProblems(message.blocks, 'message'))];
}

/** Problems of a view (`views.open` / `views.update` / `views.publish`): a modal or a Home tab. */
export function viewProblems(view: unknown): string[] {
  const problems = new Problems();
  if (!isObject(view)) {
    problems.add('view', 'is not an object');
    return problems.list;
  }
  if (view.type !== 'modal' && view.type !== 'home') {
    problems.add('view.type', `is ${String(view.type)} (expected modal or home)`);
    return problems.list;
  }
  checkString(problems, 'view.callback_id', view.callback_id, SLACK_LIMITS.callbackId);
  checkString(problems, 'view.private_metadata', view.private_metadata, SLACK_LIMITS.privateMetadata);
  if (view.type === 'modal') {
    checkText(problems, 'view.title', view.title, SLACK_LIMITS.viewTitle, { required: true, plainOnly: true });
    checkText(problems, 'view.submit', view.submit, SLACK_LIMITS.viewButton, { plainOnly: true });
    checkText(problems, 'view.close', view.close, SLACK_LIMITS.viewButton, { plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((block) => isObject(block) && block.type === 'input');
    if (hasInput && view.submit === undefined) problems.add('view.submit', 'is missing (a modal with an input block needs one)');
  }
  return [...problems.list, ...blocksProblems(view.blocks, view.type)];
}

/** Throws when a message breaks Slack's rules (for builders and tests: the problems, one per line). */
export function assertValidMessage(message: { text?: unknown; blocks?: unknown }): void {
  const problems = messageProblems(message);
  if (problems.length > 0) throw new Error(`Slack would refuse this message (invalid_blocks):\n${problems.join('\n')}`);
}

/** Throws when a view breaks Slack's rules. */
export function assertValidView(view: unknown): void {
  const problems = viewProblems(view);
  if (problems.length > 0) throw new Error(`Slack would refuse this view (invalid_arguments):\n${problems.join('\n')}`);
}
