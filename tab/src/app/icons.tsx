/**
 * The handful of 20 px glyphs the tab uses, drawn inline in `currentColor` so they follow every
 * theme (high contrast included) without shipping an icon package. Always decorative: the
 * button around them carries the accessible name.
 */

const PATHS = {
  call: 'M6.2 2.6 7.7 4.9c.4.6.3 1.4-.2 1.9L6.4 7.9c.8 1.8 2.1 3.3 3.9 4.3l1.1-1.1c.5-.5 1.3-.6 1.9-.2l2.3 1.5c.6.4.9 1.2.6 1.9l-.6 1.4c-.4.8-1.2 1.3-2.1 1.2C7.9 16.5 3.5 12.1 2.9 6.7c-.1-.9.4-1.7 1.2-2.1l1.4-.6c.3-.1.5-.1.7.6Z',
  edit: 'M13.2 3.3a2 2 0 0 1 2.8 2.8l-8.6 8.6-3.7 1 1-3.7 8.5-8.7Zm-1 2.4-6.6 6.6-.5 1.8 1.8-.5 6.6-6.6-1.3-1.3Z',
  remove:
    'M8 3h4a1 1 0 0 1 1 1h3v1.5H4V4h3a1 1 0 0 1 1-1Zm-2.5 4h9l-.7 9.1a1 1 0 0 1-1 .9H7.2a1 1 0 0 1-1-.9L5.5 7Z',
  up: 'M10 4 15 9.5l-1.1 1L10.8 7v9h-1.6V7l-3.1 3.5-1.1-1L10 4Z',
  down: 'M10 16 5 10.5l1.1-1 3.1 3.5V4h1.6v9l3.1-3.5 1.1 1L10 16Z',
  grip: 'M7 4h2v2H7V4Zm4 0h2v2h-2V4ZM7 9h2v2H7V9Zm4 0h2v2h-2V9Zm-4 5h2v2H7v-2Zm4 0h2v2h-2v-2Z',
  add: 'M9.2 4h1.6v5.2H16v1.6h-5.2V16H9.2v-5.2H4V9.2h5.2V4Z',
  backspace:
    'M7 4h9a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H7l-5-6 5-6Zm3.1 3-1 1 2 2-2 2 1 1 2-2 2 2 1-1-2-2 2-2-1-1-2 2-2-2Z',
  check: 'M8 13.6 4.4 10l-1.1 1.1L8 15.8 16.7 7l-1.1-1.1L8 13.6Z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { readonly name: IconName }) {
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
