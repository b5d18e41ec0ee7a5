import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Skeleton,
  SkeletonItem,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useId, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { Presence, SpeedDial } from '../../api/contract.js';
import { Icon } from '../../app/icons.js';
import { strings } from '../../i18n/strings.js';
import { Section, useSectionStyles } from '../../app/Section.js';
import { parseDialInput } from '../dial-pad/number.js';
import { PresenceDot } from '../presence/PresenceDot.js';
import type { CallTarget } from '../call/useCall.js';
import { LABEL_MAX, NUMBER_MAX, stepMove } from './edits.js';
import type { SpeedDialNotice, SpeedDialsHandle } from './useSpeedDials.js';

const useStyles = makeStyles({
  item: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
    minWidth: 0,
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalXS}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  dragging: { opacity: 0.5 },
  dropTarget: { border: `${tokens.strokeWidthThin} dashed ${tokens.colorBrandStroke1}` },
  grip: {
    display: 'flex',
    color: tokens.colorNeutralForeground3,
    cursor: 'grab',
  },
  main: {
    maxWidth: '100%',
    minWidth: 0,
    justifyContent: 'flex-start',
    textAlign: 'start',
    gap: tokens.spacingHorizontalS,
  },
  who: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    flexGrow: 1,
    minWidth: 0,
  },
  number: { color: tokens.colorNeutralForeground2, paddingInlineStart: tokens.spacingHorizontalM },
  tools: { display: 'flex', flexShrink: 0 },
  form: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke1}`,
  },
  formActions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  footer: {
    display: 'flex',
    flexWrap: 'wrap',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    color: tokens.colorNeutralForeground3,
  },
});

export interface SpeedDialsPanelProps {
  readonly dials: SpeedDialsHandle;
  readonly presence: Readonly<Record<string, Presence>>;
  /** Nothing to show yet (no cache, first load in flight). */
  readonly loading: boolean;
  readonly onCall: (target: CallTarget) => void;
  readonly className?: string;
}

export function SpeedDialsPanel({ dials, presence, loading, onCall, className }: SpeedDialsPanelProps) {
  const styles = useStyles();
  const section = useSectionStyles();
  const hintId = useId();
  const [editing, setEditing] = useState<string | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const [dragId, setDragId] = useState<string | undefined>();
  const [overId, setOverId] = useState<string | undefined>();
  const { entries } = dials;

  const move = (entry: SpeedDial, delta: -1 | 1) => {
    const edit = stepMove(entries, entry.id, delta);
    if (edit === undefined || edit.kind !== 'move') return;
    dials.edit(edit);
    setAnnouncement(strings.speedDials.moved(entry.label, edit.index + 1, entries.length));
  };

  const onKeyDown = (entry: SpeedDial) => (event: KeyboardEvent) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    move(entry, event.key === 'ArrowUp' ? -1 : 1);
  };

  const onDrop = (target: SpeedDial) => (event: DragEvent) => {
    event.preventDefault();
    const id = dragId ?? event.dataTransfer.getData('text/plain');
    setDragId(undefined);
    setOverId(undefined);
    const from = entries.findIndex((e) => e.id === id);
    const to = entries.findIndex((e) => e.id === target.id);
    const moved = entries[from];
    if (moved === undefined || to < 0 || from === to) return;
    dials.edit({ kind: 'move', id, index: to });
    setAnnouncement(strings.speedDials.moved(moved.label, to + 1, entries.length));
  };

  const showSkeleton = loading && dials.base === undefined;

  return (
    <Section
      heading={strings.speedDials.heading}
      className={className}
      busy={showSkeleton}
      testId="speed-dials"
      state={dials.saving ? 'saving' : 'idle'}
    >
      <NoticeBar notice={dials.notice} onRetry={dials.retry} onDismiss={dials.dismissNotice} />
      {showSkeleton ? (
        <Skeleton aria-label={strings.speedDials.heading}>
          {[0, 1, 2].map((i) => (
            <SkeletonItem key={i} size={36} style={{ marginBlock: tokens.spacingVerticalXS }} />
          ))}
        </Skeleton>
      ) : dials.base === undefined && dials.loadFailed ? (
        <MessageBar intent="error">
          <MessageBarBody>{strings.speedDials.loadFailed}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={dials.reload}>{strings.speedDials.retry}</Button>
          </MessageBarActions>
        </MessageBar>
      ) : entries.length === 0 ? (
        <Text>{strings.speedDials.empty}</Text>
      ) : (
        <>
          <Text id={hintId} size={200} className={styles.number}>
            {strings.speedDials.reorderHint}
          </Text>
          <ul className={section.list} aria-label={strings.speedDials.listLabel} aria-describedby={hintId}>
            {entries.map((entry, index) =>
              editing === entry.id ? (
                <li key={entry.id}>
                  <EditForm
                    entry={entry}
                    onCancel={() => {
                      setEditing(undefined);
                    }}
                    onSave={(label, number) => {
                      dials.edit({ kind: 'update', id: entry.id, label, number });
                      setEditing(undefined);
                    }}
                  />
                </li>
              ) : (
                <li
                  key={entry.id}
                  data-testid="speed-dial"
                  data-id={entry.id}
                  className={mergeClasses(
                    styles.item,
                    dragId === entry.id && styles.dragging,
                    overId === entry.id && dragId !== entry.id && styles.dropTarget,
                  )}
                  draggable
                  onDragStart={(event) => {
                    event.dataTransfer.setData('text/plain', entry.id);
                    event.dataTransfer.effectAllowed = 'move';
                    setDragId(entry.id);
                  }}
                  onDragEnd={() => {
                    setDragId(undefined);
                    setOverId(undefined);
                  }}
                  onDragOver={(event) => {
                    event.preventDefault();
                    setOverId(entry.id);
                  }}
                  onDrop={onDrop(entry)}
                  onKeyDown={onKeyDown(entry)}
                >
                  <span className={styles.grip} title={strings.speedDials.dragHandle(entry.label)}>
                    <Icon name="grip" />
                  </span>
                  <span className={styles.who}>
                    <Button
                      appearance="subtle"
                      className={styles.main}
                      aria-label={strings.speedDials.call(entry.label)}
                      icon={
                        entry.aadObjectId === undefined ? (
                          <Icon name="call" />
                        ) : (
                          <PresenceDot presence={presence[entry.aadObjectId]} />
                        )
                      }
                      onClick={() => {
                        onCall({ destination: entry.number, displayName: entry.label });
                      }}
                    >
                      <span className={section.ellipsis} data-part="label">
                        {entry.label}
                      </span>
                    </Button>
                    <Text size={200} className={mergeClasses(section.ellipsis, styles.number)}>
                      {entry.number}
                    </Text>
                  </span>
                  <span className={styles.tools}>
                    <Button
                      appearance="subtle"
                      icon={<Icon name="up" />}
                      aria-label={strings.speedDials.moveUp(entry.label)}
                      disabledFocusable={index === 0}
                      onClick={() => {
                        move(entry, -1);
                      }}
                    />
                    <Button
                      appearance="subtle"
                      icon={<Icon name="down" />}
                      aria-label={strings.speedDials.moveDown(entry.label)}
                      disabledFocusable={index === entries.length - 1}
                      onClick={() => {
                        move(entry, 1);
                      }}
                    />
                    <Button
                      appearance="subtle"
                      icon={<Icon name="edit" />}
                      aria-label={strings.speedDials.edit(entry.label)}
                      onClick={() => {
                        setEditing(entry.id);
                      }}
                    />
                    <Button
                      appearance="subtle"
                      icon={<Icon name="remove" />}
                      aria-label={strings.speedDials.remove(entry.label)}
                      onClick={() => {
                        dials.edit({ kind: 'remove', id: entry.id });
                        setAnnouncement(strings.speedDials.removed(entry.label));
                      }}
                    />
                  </span>
                </li>
              ),
            )}
          </ul>
        </>
      )}
      <div className={styles.footer}>
        <Text size={200} aria-live="polite" data-testid="speed-dials-status">
          {dials.saving ? strings.speedDials.saving : ''}
        </Text>
        {dials.base === undefined ? null : (
          <Text size={200}>{strings.speedDials.usage(dials.base.bytesUsed, dials.base.bytesMax)}</Text>
        )}
      </div>
      <span className={section.visuallyHidden} aria-live="polite">
        {announcement}
      </span>
    </Section>
  );
}

function NoticeBar({
  notice,
  onRetry,
  onDismiss,
}: {
  readonly notice: SpeedDialNotice | undefined;
  readonly onRetry: () => void;
  readonly onDismiss: () => void;
}) {
  const section = useSectionStyles();
  if (notice === undefined) return null;
  switch (notice.kind) {
    case 'merged':
      return (
        <MessageBar intent={notice.conflicts > 0 ? 'warning' : 'info'} data-testid="speed-dials-merged">
          <MessageBarBody>
            {notice.conflicts > 0
              ? strings.speedDials.conflicts(notice.conflicts)
              : strings.speedDials.merged}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={onDismiss}>{strings.call.dismiss}</Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'full':
      return (
        <MessageBar intent="error" layout="multiline" data-testid="speed-dials-full">
          <MessageBarBody>
            <MessageBarTitle className={section.noticeTitle}>{strings.speedDials.fullTitle}</MessageBarTitle>
            {strings.speedDials.fullBody(notice.bytesMax)}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={onDismiss}>{strings.call.dismiss}</Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'rejected':
      return (
        <MessageBar intent="error" layout="multiline" data-testid="speed-dials-rejected">
          <MessageBarBody>{strings.speedDials.rejected}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={onDismiss}>{strings.call.dismiss}</Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'save_failed':
      return (
        <MessageBar intent="error" layout="multiline" data-testid="speed-dials-save-failed">
          <MessageBarBody>{strings.speedDials.saveFailed}</MessageBarBody>
          <MessageBarActions>
            <Button appearance="primary" onClick={onRetry}>
              {strings.speedDials.retry}
            </Button>
          </MessageBarActions>
        </MessageBar>
      );
  }
}

function EditForm({
  entry,
  onSave,
  onCancel,
}: {
  readonly entry: SpeedDial;
  readonly onSave: (label: string, number: string) => void;
  readonly onCancel: () => void;
}) {
  const styles = useStyles();
  const titleId = useId();
  const [label, setLabel] = useState(entry.label);
  const [number, setNumber] = useState(entry.number);
  const [touched, setTouched] = useState(false);
  const labelOk = label.trim() !== '';
  const parsed = parseDialInput(number);
  return (
    <form
      className={styles.form}
      aria-labelledby={titleId}
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (labelOk && parsed.ok) onSave(label.trim(), parsed.destination);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <Text id={titleId} weight="semibold">
        {strings.speedDials.editTitle(entry.label)}
      </Text>
      <Field
        label={strings.speedDials.labelField}
        validationMessage={touched && !labelOk ? strings.speedDials.labelRequired : null}
      >
        <Input
          value={label}
          maxLength={LABEL_MAX}
          autoFocus
          onChange={(_e, data) => {
            setLabel(data.value);
          }}
        />
      </Field>
      <Field
        label={strings.speedDials.numberField}
        validationMessage={touched && !parsed.ok ? strings.speedDials.numberInvalid : null}
      >
        <Input
          value={number}
          maxLength={NUMBER_MAX}
          inputMode="tel"
          onChange={(_e, data) => {
            setNumber(data.value);
          }}
        />
      </Field>
      <div className={styles.formActions}>
        <Button appearance="primary" type="submit">
          {strings.speedDials.save}
        </Button>
        <Button onClick={onCancel}>{strings.speedDials.cancel}</Button>
      </div>
    </form>
  );
}
