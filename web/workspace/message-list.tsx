/** A scrolling list of messages that stays at its end as messages arrive and images load. */
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { MessageView } from '../../src/workspace/snapshot.ts';

/**
 * Whether `message` continues `previous` as Slack groups them: same author, both ephemeral or both not, within
 * 5 minutes (shown without a second avatar and name).
 */
export function continues(previous: MessageView | undefined, message: MessageView): boolean {
  if (!previous || message.broadcast || previous.broadcast) return false;
  return previous.user === message.user && previous.ephemeral === message.ephemeral && Number(message.ts) - Number(previous.ts) < 300;
}

/** The messages, or `empty` when there are none. */
export function MessageList(props: {
  messages: MessageView[];
  /** Renders one message; `previous` is the one above it (for grouping). */
  render: (message: MessageView, previous: MessageView | undefined) => JSX.Element;
  empty: JSX.Element;
}): JSX.Element {
  const list = useRef<HTMLDivElement>(null);
  // Whether the list is scrolled to the end: images that load later keep it there, as Slack does.
  const atEnd = useRef(true);
  const last = props.messages.at(-1)?.ts;
  const toEnd = () => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  };
  useLayoutEffect(toEnd, [last, props.messages.length]);
  useEffect(() => {
    const element = list.current;
    if (!element) return;
    // Images that load later and a thread pane that narrows the list keep an end-scrolled list at its end.
    const observer = new ResizeObserver(() => {
      if (atEnd.current) toEnd();
    });
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      class="messages"
      ref={list}
      onScroll={(event) => {
        const element = event.currentTarget as HTMLDivElement;
        atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
      }}
    >
      <div class="messages-inner">
        {props.messages.length === 0 ? props.empty : props.messages.map((message, index) => props.render(message, props.messages[index - 1]))}
      </div>
    </div>
  );
}
