import { describe, expect, it } from 'vitest';
import { blocksProblems, messageProblems, SLACK_LIMITS, viewProblems } from '../../../src/slack/blocks/validate.ts';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const button = (actionId: string, extra: Record<string, unknown> = {}) => ({ type: 'button', action_id: actionId, text: plain('Go'), ...extra });
const option = (text: string, value: string) => ({ text: plain(text), value });

/** A message of one block. */
const one = (block: unknown) => ({ text: 'fallback', blocks: [block] });

describe('Slack Block Kit rules', () => {
  it('accepts a message using every kind of block the app builds', () => {
    const message = {
      text: 'x',
      blocks: [
        { type: 'header', text: plain('h'.repeat(SLACK_LIMITS.headerText)) },
        { type: 'section', text: mrkdwn('s'.repeat(SLACK_LIMITS.sectionText)), accessory: button('more') },
        { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f'.repeat(SLACK_LIMITS.fieldText))) },
        { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) },
        { type: 'divider', block_id: 'd'.repeat(255) },
        {
          type: 'actions',
          block_id: 'buttons',
          elements: [
            button('a'.repeat(255), { value: 'v'.repeat(2000), style: 'primary', url: `https://x/${'u'.repeat(2990)}` }),
            { type: 'static_select', action_id: 'menu', placeholder: plain('p'.repeat(150)), options: [option('o'.repeat(75), 'v'.repeat(150))] },
            { type: 'datepicker', action_id: 'day', initial_date: '2026-12-08' },
          ],
        },
      ],
    };
    expect(messageProblems(message)).toEqual([]);
  });

  it.each([
    ['two elements of one actions block share an action_id (Slack: unique within a block)', one({ type: 'actions', elements: [button('run'), button('run')] }), 'blocks[0] (actions): action_id "run" is used by more than one element (it must be unique within a block)'],
    ['two blocks share a block_id (Slack: unique within a message)', { text: 'x', blocks: [{ type: 'divider', block_id: 'b' }, { type: 'divider', block_id: 'b' }] }, 'blocks[1]: block_id "b" is used by more than one block (it must be unique within a message)'],
    ['51 blocks in a message', { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, 'blocks: has 51 blocks (max 50 in a message)'],
    ['a header of 151 characters', one({ type: 'header', text: plain('h'.repeat(151)) }), 'blocks[0] (header).text.text: is 151 characters (max 150)'],
    ['a mrkdwn header', one({ type: 'header', text: mrkdwn('h') }), 'blocks[0] (header).text: has type mrkdwn (expected plain_text)'],
    ['section text of 3,001 characters', one({ type: 'section', text: mrkdwn('s'.repeat(3001)) }), 'blocks[0] (section).text.text: is 3001 characters (max 3000)'],
    ['an empty section text', one({ type: 'section', text: mrkdwn('') }), 'blocks[0] (section).text.text: is empty'],
    ['a section with neither text nor fields', one({ type: 'section' }), 'blocks[0] (section): has neither text nor fields'],
    ['11 fields', one({ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }), 'blocks[0] (section).fields: has 11 fields (max 10)'],
    ['a field of 2,001 characters', one({ type: 'section', fields: [mrkdwn('f'.repeat(2001))] }), 'blocks[0] (section).fields[0].text: is 2001 characters (max 2000)'],
    ['11 context elements', one({ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }), 'blocks[0] (context).elements: has 11 elements (max 10)'],
    ['an empty context', one({ type: 'context', elements: [] }), 'blocks[0] (context).elements: is empty'],
    ['26 buttons in one actions block', one({ type: 'actions', elements: Array.from({ length: 26 }, (_, index) => button(`b${index}`)) }), 'blocks[0] (actions).elements: has 26 elements (max 25)'],
    ['button text of 76 characters', one({ type: 'actions', elements: [{ ...button('b'), text: plain('b'.repeat(76)) }] }), 'blocks[0] (actions).elements[0].text.text: is 76 characters (max 75)'],
    ['a button without text', one({ type: 'actions', elements: [{ type: 'button', action_id: 'b' }] }), 'blocks[0] (actions).elements[0].text: is missing'],
    ['a button value of 2,001 characters', one({ type: 'actions', elements: [button('b', { value: 'v'.repeat(2001) })] }), 'blocks[0] (actions).elements[0].value: is 2001 characters (max 2000)'],
    ['a button url of 3,001 characters', one({ type: 'actions', elements: [button('b', { url: 'u'.repeat(3001) })] }), 'blocks[0] (actions).elements[0].url: is 3001 characters (max 3000)'],
    ['an unknown button style', one({ type: 'actions', elements: [button('b', { style: 'green' })] }), 'blocks[0] (actions).elements[0].style: must be primary or danger'],
    ['an action_id of 256 characters', one({ type: 'actions', elements: [button('a'.repeat(256))] }), 'blocks[0] (actions).elements[0].action_id: is 256 characters (max 255)'],
    ['a block_id of 256 characters', one({ type: 'divider', block_id: 'b'.repeat(256) }), 'blocks[0].block_id: is 256 characters (max 255)'],
    ['an option text of 76 characters', one({ type: 'actions', elements: [{ type: 'static_select', action_id: 'm', options: [option('o'.repeat(76), 'v')] }] }), 'blocks[0] (actions).elements[0].options[0].text.text: is 76 characters (max 75)'],
    ['an option value of 151 characters', one({ type: 'actions', elements: [{ type: 'static_select', action_id: 'm', options: [option('o', 'v'.repeat(151))] }] }), 'blocks[0] (actions).elements[0].options[0].value: is 151 characters (max 150)'],
    ['101 options', one({ type: 'actions', elements: [{ type: 'static_select', action_id: 'm', options: Array.from({ length: 101 }, (_, index) => option('o', `v${index}`)) }] }), 'blocks[0] (actions).elements[0].options: has 101 options (max 100)'],
    ['a placeholder of 151 characters', one({ type: 'actions', elements: [{ type: 'static_select', action_id: 'm', placeholder: plain('p'.repeat(151)), options: [option('o', 'v')] }] }), 'blocks[0] (actions).elements[0].placeholder.text: is 151 characters (max 150)'],
    ['an unknown block type', one({ type: 'table' }), 'blocks[0]: has unknown block type table'],
    ['an unknown element type', one({ type: 'actions', elements: [{ type: 'slider', action_id: 's' }] }), 'blocks[0] (actions).elements[0]: has unknown element type slider'],
    ['an input block in a message', one({ type: 'input', label: plain('l'), element: { type: 'plain_text_input', action_id: 'i' } }), 'blocks[0] (input): an input block belongs in a modal or Home tab'],
    ['a confirm dialog without its buttons', one({ type: 'actions', elements: [button('b', { confirm: { title: plain('t'), text: plain('x') } })] }), 'blocks[0] (actions).elements[0].confirm.confirm: is missing'],
  ])('refuses %s', (_reason, message, problem) => {
    expect(messageProblems(message)).toContain(problem);
  });

  it('refuses a message with neither text nor blocks, and text past 40,000 characters', () => {
    expect(messageProblems({ text: '' })).toEqual(['message: has neither text nor blocks']);
    expect(messageProblems({ text: 't'.repeat(40_001) })).toEqual(['text: is 40001 characters (max 40000)']);
  });

  const modal = (blocks: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'modal', title: plain('Silence alert'), submit: plain('Silence'), blocks, ...extra });
  const input = (element: Record<string, unknown>) => ({ type: 'input', block_id: 'reason', label: plain('Reason'), element: { type: 'plain_text_input', action_id: 'reason', ...element } });

  it('accepts a modal with an input of max_length 3,000 and a Home tab of 100 blocks', () => {
    expect(viewProblems(modal([input({ min_length: 3, max_length: 3000 })]))).toEqual([]);
    expect(viewProblems({ type: 'home', blocks: Array.from({ length: 100 }, () => ({ type: 'divider' })) })).toEqual([]);
  });

  it.each([
    ['max_length above 3,000', modal([input({ max_length: 3001 })]), 'blocks[0] (input).element.max_length: must be 1–3000'],
    ['min_length above max_length', modal([input({ min_length: 10, max_length: 5 })]), 'blocks[0] (input).element: min_length is above max_length'],
    ['a title of 25 characters', modal([], { title: plain('t'.repeat(25)) }), 'view.title.text: is 25 characters (max 24)'],
    ['no title', { type: 'modal', blocks: [] }, 'view.title: is missing'],
    ['an input without a submit button', { type: 'modal', title: plain('t'), blocks: [input({})] }, 'view.submit: is missing (a modal with an input block needs one)'],
    ['private_metadata of 3,001 characters', modal([], { private_metadata: 'm'.repeat(3001) }), 'view.private_metadata: is 3001 characters (max 3000)'],
    ['101 blocks in a Home tab', { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }, 'blocks: has 101 blocks (max 100 in a home)'],
    ['two blocks of a Home tab sharing a block_id', { type: 'home', blocks: [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }] }, 'blocks[1]: block_id "x" is used by more than one block (it must be unique within a home)'],
    ['an unknown view type', { type: 'workflow_step', blocks: [] }, 'view.type: is workflow_step (expected modal or home)'],
  ])('refuses a view with %s', (_reason, view, problem) => {
    expect(viewProblems(view)).toContain(problem);
  });

  it('checks blocks alone for a surface (the response_url check)', () => {
    expect(blocksProblems('not a list', 'message')).toEqual(['blocks: is not a list']);
    expect(blocksProblems([{ type: 'divider' }], 'message')).toEqual([]);
  });
});
