/** A scrolling list of messages that stays at its end as messages arrive and images load. */
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { MessageView } from '../../src/workspace/snapshot.ts';

/** The messages, or `empty` when there are none. */
export function MessageList(props: { messages: MessageView[]; render: (message: MessageView) => JSX.Element; empty: JSX.Element }): JSX.Element {
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
      <div class="messages-inner">{props.messages.length === 0 ? props.empty : props.messages.map(props.render)}</div>
    </div>
  );
}
