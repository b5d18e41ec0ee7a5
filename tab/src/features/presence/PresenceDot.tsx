import { PresenceBadge, type PresenceBadgeStatus } from '@fluentui/react-components';
import type { Presence } from '../../api/contract.js';
import { strings } from '../../i18n/strings.js';

/** Graph's availability values, as Teams draws them. */
export function presenceStatus(presence: Presence | undefined): {
  status: PresenceBadgeStatus;
  outOfOffice: boolean;
  label: string;
} {
  const outOfOffice = presence?.activity === 'OutOfOffice';
  const p = strings.presence;
  switch (presence?.availability) {
    case 'Available':
    case 'AvailableIdle':
      return { status: 'available', outOfOffice, label: outOfOffice ? p.outOfOffice : p.available };
    case 'Away':
    case 'BeRightBack':
      return { status: 'away', outOfOffice, label: outOfOffice ? p.outOfOffice : p.away };
    case 'Busy':
    case 'BusyIdle':
      return { status: 'busy', outOfOffice, label: p.busy };
    case 'DoNotDisturb':
      return { status: 'do-not-disturb', outOfOffice, label: p.doNotDisturb };
    case 'Offline':
      return { status: 'offline', outOfOffice, label: outOfOffice ? p.outOfOffice : p.offline };
    case undefined:
    default:
      return { status: 'unknown', outOfOffice, label: p.unknown };
  }
}

export function PresenceDot({ presence }: { readonly presence: Presence | undefined }) {
  const { status, outOfOffice, label } = presenceStatus(presence);
  return (
    <PresenceBadge
      status={status}
      outOfOffice={outOfOffice}
      aria-label={label}
      title={label}
      data-presence={presence?.availability ?? 'none'}
    />
  );
}
