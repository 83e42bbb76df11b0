/**
 * Interactions as Slack sends them: `block_actions` for clicks and menu choices on messages, the Home tab and modals
 * (built from the element the message really has, never from what the page claims), `view_submission` with the
 * modal's `state.values` (the bot's `response_action` applied), and the `app_home_opened` event.
 */
import { LOCAL_BOT } from '../local/directory.ts';
import { HttpError } from '../local/http.ts';
import { issueResponseUrl, issueTrigger, type WorkspaceContext } from './context.ts';
import { channelOrFail, deliver, outcomeOf, parseJson, userJson, userOrFail, type BotAnswer } from './delivery.ts';
import { overlongInputs, type SubmittedValues } from './input-limits.ts';
import type { Block, DeliveryOutcome } from './snapshot.ts';
import { messageJson } from './web-api.ts';

/** Where a click happened. */
export type ActionSurface = { kind: 'message'; channelId: string; messageTs: string } | { kind: 'home' } | { kind: 'modal' };

/** A click (button) or a choice (static_select, overflow, datepicker) on an interactive element. */
export interface ActionInput {
  userId: string;
  surface: ActionSurface;
  blockId: string;
  actionId: string;
  /** The chosen option's value (selects and overflow menus) or date (`YYYY-MM-DD`, date pickers). */
  selectedValue?: string;
}

type Element = Record<string, unknown> & { type?: string; action_id?: string };

/** The interactive element `actionId` of block `blockId` (actions elements or a section's accessory). */
function findElement(blocks: readonly Block[], blockId: string, actionId: string): Element | null {
  const block = blocks.find((candidate) => candidate.block_id === blockId);
  if (!block) return null;
  const candidates = [...((block.elements as Element[] | undefined) ?? []), ...(block.accessory ? [block.accessory as Element] : [])];
  return candidates.find((element) => element?.action_id === actionId) ?? null;
}

interface OptionObject {
  text: unknown;
  value: string;
}

/** The `actions[]` entry Slack sends for a click on `element`. */
function actionOf(element: Element, blockId: string, selectedValue: string | undefined, actionTs: string): Record<string, unknown> {
  const base = {
    type: element.type,
    action_id: element.action_id,
    block_id: blockId,
    action_ts: actionTs,
  };
  if (element.type === 'button') {
    return {
      ...base,
      text: element.text,
      ...(element.value !== undefined ? { value: element.value } : {}),
      ...(element.style ? { style: element.style } : {}),
    };
  }
  if (element.type === 'static_select' || element.type === 'overflow') {
    const groups = (element.option_groups as { options: OptionObject[] }[] | undefined) ?? [];
    const options = [...((element.options as OptionObject[] | undefined) ?? []), ...groups.flatMap((group) => group.options)];
    const selected = options.find((option) => option.value === selectedValue);
    if (!selected) throw new HttpError(400, `"${selectedValue ?? ''}" is not an option of ${String(element.action_id)}: choose one of the menu's options.`);
    return {
      ...base,
      selected_option: { text: selected.text, value: selected.value },
      ...(element.placeholder ? { placeholder: element.placeholder } : {}),
    };
  }
  if (element.type === 'datepicker') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(selectedValue ?? ''))
      throw new HttpError(400, `"${selectedValue ?? ''}" is not a date for ${String(element.action_id)}: send YYYY-MM-DD.`);
    return { ...base, selected_date: selectedValue, ...(element.initial_date ? { initial_date: element.initial_date } : {}) };
  }
  throw new HttpError(
    400,
    `${String(element.action_id)} is a ${String(element.type)}, which this workspace cannot click: use a button, a menu or a date picker.`,
  );
}

/** Sends a `block_actions` payload for a click as Slack builds it. */
export async function sendAction(context: WorkspaceContext, input: ActionInput): Promise<DeliveryOutcome> {
  const user = userOrFail(context, input.userId);
  const { state } = context;
  const actionTs = state.nextTs();
  const common = {
    type: 'block_actions',
    user: userJson(user),
    api_app_id: 'ALOCALAPP1',
    token: 'local-verification-token',
    trigger_id: issueTrigger(context, user.id),
    team: { id: LOCAL_BOT.teamId, domain: 'local' },
    enterprise: null,
    is_enterprise_install: false,
  };
  let payload: Record<string, unknown>;
  if (input.surface.kind === 'message') {
    const { channelId, messageTs } = input.surface;
    const channel = channelOrFail(context, channelId);
    const message = state.find(channel, messageTs, user.id);
    if (!message) throw new HttpError(404, `The message ${messageTs} is gone from ${channel.name} (deleted, or dropped as one of the oldest).`);
    const element = findElement(message.blocks, input.blockId, input.actionId);
    if (!element) throw new HttpError(404, `The message has no ${input.actionId} in block ${input.blockId} (it was edited): reload.`);
    const ephemeral = !!message.visibleTo;
    payload = {
      ...common,
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: channel.id,
        is_ephemeral: ephemeral,
      },
      channel: {
        id: channel.id,
        name: channel.directWith ? 'directmessage' : channel.name,
      },
      // Slack sends the message itself for a click on a shared message, never for an ephemeral one.
      ...(ephemeral ? {} : { message: messageJson(message) }),
      state: { values: {} },
      response_url: issueResponseUrl(context, user.id, channel.id, message.ts),
      actions: [actionOf(element, input.blockId, input.selectedValue, actionTs)],
    };
  } else {
    const stored = input.surface.kind === 'home' ? state.homes.get(user.id) : state.modals.get(user.id);
    if (!stored) throw new HttpError(404, `No ${input.surface.kind === 'home' ? 'Home tab' : 'modal'} is open for ${user.name}.`);
    const element = findElement(stored.raw.blocks as Block[], input.blockId, input.actionId);
    if (!element) throw new HttpError(404, `The view has no ${input.actionId} in block ${input.blockId} (it was republished): reload.`);
    payload = {
      ...common,
      container: { type: 'view', view_id: stored.id },
      view: { ...stored.raw, id: stored.id, state: { values: {} } },
      actions: [actionOf(element, input.blockId, input.selectedValue, actionTs)],
    };
  }
  const answer = await deliver(context, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  return outcomeOf(answer);
}

export type { SubmittedValues } from './input-limits.ts';

/** The `view.state.values` Slack sends for `values` on the input blocks of `blocks`. */
function stateValues(blocks: readonly Block[], values: SubmittedValues): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const block of blocks) {
    if (block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = block.element as Element | undefined;
    if (!element?.action_id) continue;
    const value = values[block.block_id]?.[element.action_id] ?? null;
    let entry: Record<string, unknown>;
    if (element.type === 'static_select') {
      const option = ((element.options as OptionObject[] | undefined) ?? []).find((candidate) => candidate.value === value);
      entry = {
        type: 'static_select',
        selected_option: option ? { text: option.text, value: option.value } : null,
      };
    } else if (element.type === 'datepicker') {
      entry = { type: 'datepicker', selected_date: value };
    } else {
      entry = { type: element.type ?? 'plain_text_input', value };
    }
    result[block.block_id] = { [element.action_id]: entry };
  }
  return result;
}

/**
 * Submits the user's open modal (`view_submission`) and applies the bot's `response_action`. A text longer than its
 * input's `max_length` is refused as Slack's client refuses it: nothing is sent, the modal shows the error
 * (`input_too_long`).
 */
export async function submitView(context: WorkspaceContext, input: { userId: string; viewId: string; values: SubmittedValues }): Promise<DeliveryOutcome> {
  const user = userOrFail(context, input.userId);
  const { state } = context;
  const modal = state.modals.get(user.id);
  if (!modal || modal.id !== input.viewId) throw new HttpError(409, `The modal ${input.viewId} is no longer open for ${user.name}.`);
  const overlong = overlongInputs(modal.raw.blocks as Block[], input.values);
  if (Object.keys(overlong).length > 0) {
    state.modalErrors(user.id, overlong);
    return { ok: false, error: 'input_too_long' };
  }
  const payload = {
    type: 'view_submission',
    team: { id: LOCAL_BOT.teamId, domain: 'local' },
    user: userJson(user),
    api_app_id: 'ALOCALAPP1',
    token: 'local-verification-token',
    trigger_id: issueTrigger(context, user.id),
    view: {
      ...modal.raw,
      id: modal.id,
      team_id: LOCAL_BOT.teamId,
      app_id: 'ALOCALAPP1',
      bot_id: LOCAL_BOT.botId,
      root_view_id: modal.id,
      hash: `${modal.id}.hash`,
      state: { values: stateValues(modal.raw.blocks as Block[], input.values) },
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  const answer = await deliver(context, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  const outcome = outcomeOf(answer);
  if (!outcome.ok) return outcome;
  const response = parseJson(answer as BotAnswer);
  const action = response?.response_action;
  if (action === 'errors' && response?.errors && typeof response.errors === 'object') {
    state.modalErrors(user.id, response.errors as Record<string, string>);
  } else if ((action === 'update' || action === 'push') && response?.view && typeof response.view === 'object') {
    state.openModal(user.id, response.view as Record<string, unknown>, modal.id);
  } else {
    state.closeModal(user.id);
  }
  return outcome;
}

/** Tells the bot `userId` opened its Home tab (`app_home_opened`, an Events API callback). */
export async function openHome(context: WorkspaceContext, userId: string): Promise<DeliveryOutcome> {
  const user = userOrFail(context, userId);
  const eventTs = context.state.nextTs();
  const home = context.state.homes.get(user.id);
  const envelope = {
    token: 'local-verification-token',
    team_id: LOCAL_BOT.teamId,
    api_app_id: 'ALOCALAPP1',
    event: {
      type: 'app_home_opened',
      user: user.id,
      channel: `D${user.id.slice(1)}`,
      tab: 'home',
      event_ts: eventTs,
      ...(home ? { view: { ...home.raw, id: home.id } } : {}),
    },
    type: 'event_callback',
    event_id: `Ev${context.state.nextId('')}`,
    event_time: Math.floor(context.now() / 1000),
    authorizations: [
      {
        team_id: LOCAL_BOT.teamId,
        user_id: LOCAL_BOT.userId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  };
  return outcomeOf(await deliver(context, JSON.stringify(envelope), 'application/json'));
}
