import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import { Icon } from '../../app/icons.js';
import { Section } from '../../app/Section.js';
import { strings } from '../../i18n/strings.js';
import type { CallTarget } from '../call/useCall.js';
import { NUMBER_MAX } from '../speed-dials/edits.js';
import { DIAL_KEYS, parseDialInput } from './number.js';

const useStyles = makeStyles({
  input: { width: '100%', minWidth: 0 },
  keys: {
    display: 'grid',
    gridTemplateColumns: 'repeat(3, minmax(0, 1fr))',
    gap: tokens.spacingHorizontalS,
    maxWidth: '20rem',
    width: '100%',
    marginInline: 'auto',
  },
  key: {
    minWidth: 0,
    minHeight: '44px',
    flexDirection: 'column',
    gap: 0,
    lineHeight: tokens.lineHeightBase200,
  },
  letters: { fontSize: tokens.fontSizeBase100, color: tokens.colorNeutralForeground3, minHeight: '12px' },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    justifyContent: 'center',
    gap: tokens.spacingHorizontalS,
  },
});

export interface DialPadProps {
  readonly onCall: (target: CallTarget) => void;
  readonly onAddSpeedDial: (number: string) => void;
  readonly className?: string;
}

export function DialPad({ onCall, onAddSpeedDial, className }: DialPadProps) {
  const styles = useStyles();
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const parsed = parseDialInput(text);
  const problem =
    !touched || parsed.ok
      ? undefined
      : parsed.reason === 'empty'
        ? strings.dialPad.empty
        : strings.dialPad.invalid;

  const press = (key: string) => {
    setText((t) => (t + key).slice(0, NUMBER_MAX));
    setTouched(false);
  };

  const submit = (action: (destination: string) => void) => {
    setTouched(true);
    if (parsed.ok) action(parsed.destination);
    else inputRef.current?.focus();
  };

  return (
    <Section heading={strings.dialPad.heading} className={className} testId="dial-pad">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit((destination) => {
            onCall({ destination });
          });
        }}
      >
        <Field
          label={strings.dialPad.inputLabel}
          hint={problem === undefined ? strings.dialPad.hint : null}
          validationMessage={problem ?? null}
        >
          <Input
            className={styles.input}
            input={{ ref: inputRef }}
            value={text}
            inputMode="tel"
            autoComplete="off"
            maxLength={NUMBER_MAX * 2}
            placeholder={strings.dialPad.placeholder}
            onChange={(_e, data) => {
              setText(data.value);
              setTouched(false);
            }}
            contentAfter={
              <>
                <Button
                  appearance="transparent"
                  size="small"
                  aria-label={strings.dialPad.plus}
                  onClick={() => {
                    press('+');
                  }}
                >
                  +
                </Button>
                <Button
                  appearance="transparent"
                  size="small"
                  icon={<Icon name="backspace" />}
                  aria-label={strings.dialPad.backspace}
                  disabledFocusable={text === ''}
                  onClick={() => {
                    setText((t) => t.slice(0, -1));
                  }}
                />
              </>
            }
          />
        </Field>
      </form>
      <div className={styles.keys}>
        {DIAL_KEYS.map(({ key, letters }) => (
          <Button
            key={key}
            className={styles.key}
            onClick={() => {
              press(key);
            }}
            onContextMenu={(event) => {
              // Long-press / right-click on 0 types +, as on a phone.
              if (key !== '0') return;
              event.preventDefault();
              press('+');
            }}
          >
            <span>{key}</span>
            <span className={styles.letters} aria-hidden="true">
              {letters}
            </span>
          </Button>
        ))}
      </div>
      <div className={styles.actions}>
        <Button
          appearance="primary"
          icon={<Icon name="call" />}
          onClick={() => {
            submit((destination) => {
              onCall({ destination });
            });
          }}
        >
          {strings.dialPad.call}
        </Button>
        <Button
          icon={<Icon name="add" />}
          onClick={() => {
            submit(onAddSpeedDial);
          }}
        >
          {strings.dialPad.addSpeedDial}
        </Button>
      </div>
    </Section>
  );
}
