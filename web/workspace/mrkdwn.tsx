/**
 * Slack's mrkdwn, the subset the bot writes: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, links
 * (<url|text>), mentions (<@U…>, <#C…>, <!subteam^…>, <!here>), and :emoji: shortcodes (common ones drawn,
 * others left as text).
 */
import type { ComponentChildren, JSX } from 'preact';

/** Names to show for user and channel ids. */
export interface Names {
  user(id: string): string;
  channel(id: string): string;
}

/** Status circles and marks drawn in CSS (so they look the same without an emoji font). */
const DRAWN: Record<string, string> = {
  red_circle: 'dot dot-red',
  large_yellow_circle: 'dot dot-yellow',
  large_green_circle: 'dot dot-green',
  large_blue_circle: 'dot dot-blue',
  white_circle: 'dot dot-white',
  white_check_mark: 'mark mark-check',
  heavy_check_mark: 'mark mark-check',
  x: 'mark mark-x',
  warning: 'mark mark-warning',
  information_source: 'mark mark-info',
  no_entry: 'mark mark-x',
  no_entry_sign: 'mark mark-x',
  grey_question: 'mark mark-question',
  hourglass_flowing_sand: 'mark mark-wait',
  hourglass: 'mark mark-wait',
  alarm_clock: 'mark mark-wait',
  no_bell: 'mark mark-question',
};

const GLYPHS: Record<string, string> = {
  white_check_mark: '✓',
  heavy_check_mark: '✓',
  x: '✕',
  warning: '!',
  information_source: 'i',
  no_entry: '–',
  no_entry_sign: '⊘',
  grey_question: '?',
  hourglass_flowing_sand: '◷',
  hourglass: '◷',
  alarm_clock: '◷',
  no_bell: '⊘',
};

/** Other shortcodes as Unicode emoji. */
const UNICODE: Record<string, string> = {
  bell: '🔔',
  mag: '🔍',
  left_right_arrow: '↔',
  fast_forward: '⏩',
  arrow_up_small: '🔼',
  point_right: '👉',
  lock: '🔒',
  eyes: '👀',
  arrows_counterclockwise: '🔄',
  rotating_light: '🚨',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  tada: '🎉',
  rewind: '⏪',
  fire: '🔥',
};

/** One `:shortcode:`. */
export function Emoji({ name }: { name: string }): JSX.Element {
  const drawn = DRAWN[name];
  if (drawn)
    return (
      <span class={`emoji ${drawn}`} title={`:${name}:`} aria-label={name}>
        {GLYPHS[name] ?? ''}
      </span>
    );
  const unicode = UNICODE[name];
  if (unicode)
    return (
      <span class="emoji" title={`:${name}:`}>
        {unicode}
      </span>
    );
  return <span class="emoji-text">:{name}:</span>;
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Plain text with `:emoji:` shortcodes drawn (header and plain_text objects with `emoji: true`). */
export function plainWithEmoji(text: string): ComponentChildren[] {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(/:([a-z][a-z0-9_+-]*):/g)) {
    parts.push(text.slice(last, match.index));
    parts.push(<Emoji name={match[1]!} />);
    last = match.index! + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** `<!date^UNIX^…|fallback>` as Slack shows it: in the reader's own time zone, the fallback when it cannot be read. */
function localDate(target: string, fallback: string | undefined): ComponentChildren {
  const seconds = Number(target.split('^')[1]);
  const text = decode(fallback ?? '');
  if (!Number.isFinite(seconds)) return text;
  const date = new Date(seconds * 1000);
  const shown = date.toLocaleString(undefined, { month: 'short', day: 'numeric', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return (
    <time dateTime={date.toISOString()} title={text}>
      {shown}
    </time>
  );
}

function angle(inner: string, names: Names): ComponentChildren {
  const [target = '', label] = inner.split('|', 2) as [string, string | undefined];
  if (target.startsWith('@')) return <span class="mention">@{names.user(target.slice(1))}</span>;
  if (target.startsWith('#')) return <span class="mention">#{label ?? names.channel(target.slice(1))}</span>;
  if (target.startsWith('!subteam^')) return <span class="mention">{label ?? `@${target.slice('!subteam^'.length)}`}</span>;
  if (target.startsWith('!date^')) return localDate(target, label);
  if (target.startsWith('!')) return <span class="mention">@{target.slice(1).split('^')[0]}</span>;
  const href = decode(target);
  const safe = /^(https?:|mailto:|\/)/.test(href) ? href : undefined;
  return (
    <a href={safe} target="_blank" rel="noreferrer">
      {decode(label ?? target)}
    </a>
  );
}

const INLINE =
  /(`[^`\n]+`)|<([^<>\s][^<>]*)>|(?<![\p{L}\p{N}])\*([^*\n]+?)\*(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_([^_\n]+?)_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])~([^~\n]+?)~(?![\p{L}\p{N}])|:([a-z][a-z0-9_+-]*):/gu;

/** The inline elements of one line. */
function inline(text: string, names: Names): ComponentChildren[] {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index! > last) parts.push(decode(text.slice(last, match.index)));
    const [, code, link, bold, italic, strike, emoji] = match;
    if (code) parts.push(<code>{decode(code.slice(1, -1))}</code>);
    else if (link) parts.push(angle(link, names));
    else if (bold) parts.push(<strong>{inline(bold, names)}</strong>);
    else if (italic) parts.push(<em>{inline(italic, names)}</em>);
    else if (strike) parts.push(<s>{inline(strike, names)}</s>);
    else if (emoji) parts.push(<Emoji name={emoji} />);
    last = match.index! + match[0].length;
  }
  if (last < text.length) parts.push(decode(text.slice(last)));
  return parts;
}

/** Lines, with `>` quotes grouped. */
function lines(text: string, names: Names): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const rows = text.split('\n');
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length === 0) return;
    out.push(<blockquote>{quote.map((row, index) => [index > 0 ? <br /> : null, ...inline(row, names)])}</blockquote>);
    quote = [];
  };
  rows.forEach((row, index) => {
    const quoted = /^(&gt;|>)\s?(.*)$/.exec(row);
    if (quoted) {
      quote.push(quoted[2]!);
      return;
    }
    flushQuote();
    out.push(...inline(row, names));
    if (index < rows.length - 1) out.push(<br />);
  });
  flushQuote();
  return out;
}

/** Renders mrkdwn `text`. */
export function Mrkdwn({ text, names }: { text: string; names: Names }): JSX.Element {
  const segments = text.split('```');
  return (
    <span class="mrkdwn">{segments.map((segment, index) => (index % 2 === 1 ? <pre>{decode(segment.replace(/^\n/, ''))}</pre> : lines(segment, names)))}</span>
  );
}
