import { Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useId, type ReactNode } from 'react';
import { usePanelStyles } from '../features/account/panel.js';

export const useSectionStyles = makeStyles({
  region: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  heading: {
    margin: 0,
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
  },
  muted: { color: tokens.colorNeutralForeground2 },
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
  },
  noticeTitle: { display: 'block' },
  ellipsis: {
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
});

export interface SectionProps {
  readonly heading: string;
  /** Shown after the heading text (a count badge). */
  readonly headingExtra?: ReactNode;
  readonly className?: string | undefined;
  readonly testId: string;
  readonly busy?: boolean;
  readonly role?: 'search';
  /** For tests and styling: what the section currently shows. */
  readonly state?: string;
  readonly children: ReactNode;
}

/**
 * A labelled landmark (`region`, or `search`) with an h2 and the panel surface: every part of
 * the tab is one, so screen-reader users can jump between them by heading or landmark.
 */
export function Section({
  heading,
  headingExtra,
  className,
  testId,
  busy,
  role,
  state,
  children,
}: SectionProps) {
  const styles = useSectionStyles();
  const panel = usePanelStyles();
  const headingId = useId();
  return (
    <section
      className={mergeClasses(styles.region, className)}
      aria-labelledby={headingId}
      aria-busy={busy === true}
      role={role}
      data-testid={testId}
      data-state={state}
    >
      <Text as="h2" size={400} weight="semibold" className={styles.heading}>
        <span id={headingId}>{heading}</span>
        {headingExtra}
      </Text>
      <div className={panel.panel}>{children}</div>
    </section>
  );
}
