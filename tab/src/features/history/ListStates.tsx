import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Skeleton,
  SkeletonItem,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { loadedValue, type Load } from '../../app/useLoad.js';
import type { WebexListStrings } from '../../i18n/strings.js';

export interface ListStatesProps<T> {
  readonly load: Load<T & { readonly linked: boolean }>;
  readonly isEmpty: (value: T) => boolean;
  readonly texts: WebexListStrings;
  readonly children: (value: T) => ReactNode;
}

/**
 * The states every Webex list shares: a skeleton while loading, the failure with Try again,
 * "link Webex" when it isn't linked, the empty text, then the list itself.
 */
export function ListStates<T>({ load, isEmpty, texts, children }: ListStatesProps<T>) {
  const value = loadedValue(load.state);
  if (load.state.kind === 'failed') {
    return (
      <MessageBar intent="error">
        <MessageBarBody>{texts.failed}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={load.reload}>{texts.retry}</Button>
        </MessageBarActions>
      </MessageBar>
    );
  }
  if (value === undefined) {
    return (
      <Skeleton aria-label={texts.loading}>
        {[0, 1, 2].map((i) => (
          <SkeletonItem key={i} size={32} style={{ marginBlock: tokens.spacingVerticalXS }} />
        ))}
      </Skeleton>
    );
  }
  if (!value.linked) return <Text>{texts.notLinked}</Text>;
  if (isEmpty(value)) return <Text>{texts.empty}</Text>;
  return <>{children(value)}</>;
}
