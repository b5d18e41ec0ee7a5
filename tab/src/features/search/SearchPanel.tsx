import {
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Skeleton,
  SkeletonItem,
  Spinner,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useRef, useState, type KeyboardEvent } from 'react';
import type { ApiClient } from '../../api/client.js';
import type { Person, PhoneNumber, SpeedDial } from '../../api/contract.js';
import { Icon } from '../../app/icons.js';
import { Section, useSectionStyles } from '../../app/Section.js';
import { strings } from '../../i18n/strings.js';
import type { CallTarget } from '../call/useCall.js';
import { PresenceDot } from '../presence/PresenceDot.js';
import { SEARCH_MAX_LENGTH, useSearch, type SearchState } from './useSearch.js';

const useStyles = makeStyles({
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    minWidth: 0,
  },
  top: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, minWidth: 0 },
  main: { flexGrow: 1, minWidth: 0, justifyContent: 'flex-start', textAlign: 'start' },
  phones: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  status: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minHeight: '20px' },
});

export interface SearchPanelProps {
  readonly api: ApiClient;
  readonly speedDials: readonly SpeedDial[];
  readonly onCall: (target: CallTarget) => void;
  readonly onAddSpeedDial: (person: Person, phone: PhoneNumber) => void;
  readonly className?: string;
}

/** The number a plain "Call" on a person dials: work first, then mobile, then any. */
export function primaryPhone(person: Person): PhoneNumber | undefined {
  return (
    person.phones.find((p) => p.type === 'business') ??
    person.phones.find((p) => p.type === 'mobile') ??
    person.phones[0]
  );
}

export function SearchPanel({ api, speedDials, onCall, onAddSpeedDial, className }: SearchPanelProps) {
  const styles = useStyles();
  const section = useSectionStyles();
  const [text, setText] = useState('');
  const [attempt, setAttempt] = useState(0);
  const state = useSearch(api, text, attempt);
  const listRef = useRef<HTMLUListElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const people = peopleOf(state);

  const primaries = () => [...(listRef.current?.querySelectorAll<HTMLElement>('[data-primary]') ?? [])];
  const focusRow = (index: number) => {
    const all = primaries();
    all[Math.max(0, Math.min(index, all.length - 1))]?.focus();
  };

  const onInputKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' && people.length > 0) {
      event.preventDefault();
      focusRow(0);
    } else if (event.key === 'Enter') {
      const first = people[0];
      const phone = first === undefined ? undefined : primaryPhone(first);
      if (first !== undefined && phone !== undefined) {
        event.preventDefault();
        onCall({ destination: phone.number, displayName: first.displayName });
      }
    }
  };

  const onListKey = (event: KeyboardEvent) => {
    const all = primaries();
    const at = all.findIndex((el) => el.closest('li')?.contains(document.activeElement ?? null) === true);
    if (event.key === 'ArrowDown') focusRow(at + 1);
    else if (event.key === 'ArrowUp') {
      if (at <= 0) inputRef.current?.focus();
      else focusRow(at - 1);
    } else if (event.key === 'Home') focusRow(0);
    else if (event.key === 'End') focusRow(all.length - 1);
    else if (event.key === 'Escape') inputRef.current?.focus();
    else return;
    event.preventDefault();
  };

  const inSpeedDials = (person: Person) =>
    speedDials.some(
      (d) =>
        (person.aadObjectId !== undefined && d.aadObjectId === person.aadObjectId) ||
        person.phones.some((p) => p.number === d.number),
    );

  return (
    <Section
      heading={strings.search.heading}
      role="search"
      className={className}
      testId="search"
      state={state.kind}
      busy={state.kind === 'searching'}
    >
      <Field label={strings.search.label} hint={strings.search.hint}>
        <Input
          input={{ ref: inputRef }}
          type="search"
          value={text}
          maxLength={SEARCH_MAX_LENGTH}
          placeholder={strings.search.placeholder}
          autoComplete="off"
          onChange={(_e, data) => {
            setText(data.value);
          }}
          onKeyDown={onInputKey}
        />
      </Field>
      <div className={styles.status} aria-live="polite">
        {state.kind === 'searching' ? <Spinner size="extra-tiny" label={strings.search.searching} /> : null}
        {state.kind === 'done' ? (
          <Text size={200} className={section.muted}>
            {state.result.people.length === 0
              ? strings.search.noResults(state.query)
              : strings.search.resultsCount(state.result.people.length)}
          </Text>
        ) : null}
      </div>
      {state.kind === 'done' && state.result.partial ? (
        <MessageBar intent="warning" data-testid="search-partial">
          <MessageBarBody>{strings.search.partial}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.kind === 'failed' ? (
        <MessageBar intent="error">
          <MessageBarBody>{strings.search.failed}</MessageBarBody>
          <MessageBarActions>
            <Button
              onClick={() => {
                setAttempt((n) => n + 1);
              }}
            >
              {strings.search.retry}
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {state.kind === 'searching' && state.previous === undefined ? (
        <Skeleton aria-label={strings.search.searching}>
          {[0, 1].map((i) => (
            <SkeletonItem key={i} size={48} style={{ marginBlock: tokens.spacingVerticalXS }} />
          ))}
        </Skeleton>
      ) : null}
      {people.length === 0 ? null : (
        <ul
          className={section.list}
          ref={listRef}
          aria-label={strings.search.resultsLabel}
          onKeyDown={onListKey}
        >
          {people.map((person) => {
            const phone = primaryPhone(person);
            const subtitle = [person.jobTitle, person.department].filter((v) => v !== undefined).join(' · ');
            const added = inSpeedDials(person);
            return (
              <li key={person.key} className={styles.item} data-testid="search-result" data-key={person.key}>
                <div className={styles.top}>
                  <Button
                    appearance="subtle"
                    className={styles.main}
                    data-primary
                    icon={<PresenceDot presence={person.presence} />}
                    aria-label={
                      phone === undefined ? person.displayName : strings.search.call(person.displayName)
                    }
                    disabledFocusable={phone === undefined}
                    onClick={() => {
                      if (phone !== undefined)
                        onCall({ destination: phone.number, displayName: person.displayName });
                    }}
                  >
                    <span className={section.ellipsis}>{person.displayName}</span>
                  </Button>
                  <Button
                    appearance="subtle"
                    icon={<Icon name={added ? 'check' : 'add'} />}
                    aria-label={
                      added ? strings.search.inSpeedDials : strings.search.addSpeedDial(person.displayName)
                    }
                    title={
                      added ? strings.search.inSpeedDials : strings.search.addSpeedDial(person.displayName)
                    }
                    disabledFocusable={added || phone === undefined}
                    onClick={() => {
                      if (phone !== undefined) onAddSpeedDial(person, phone);
                    }}
                  />
                </div>
                {subtitle === '' ? null : (
                  <Text size={200} className={mergeClasses(section.ellipsis, section.muted)}>
                    {subtitle}
                  </Text>
                )}
                <div className={styles.phones}>
                  {person.phones.length === 0 ? (
                    <Text size={200} className={section.muted}>
                      {strings.search.noNumber}
                    </Text>
                  ) : (
                    person.phones.map((p) => (
                      <Button
                        key={`${p.type}:${p.number}`}
                        size="small"
                        appearance="transparent"
                        icon={<Icon name="call" />}
                        aria-label={strings.search.callNumber(strings.search.phoneKinds[p.type], p.number)}
                        onClick={() => {
                          onCall({ destination: p.number, displayName: person.displayName });
                        }}
                      >
                        {`${strings.search.phoneKinds[p.type]} ${p.number}`}
                      </Button>
                    ))
                  )}
                  {person.email === undefined ? null : (
                    <Link href={`mailto:${person.email}`} aria-label={strings.search.email(person.email)}>
                      <Text size={200}>{person.email}</Text>
                    </Link>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

function peopleOf(state: SearchState): readonly Person[] {
  if (state.kind === 'done') return state.result.people;
  if (state.kind === 'searching') return state.previous?.people ?? [];
  return [];
}
