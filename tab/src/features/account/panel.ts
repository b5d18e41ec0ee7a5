import { makeStyles, tokens } from '@fluentui/react-components';

/**
 * The surface the account cards sit on: what Fluent's Card draws for a static card (background,
 * radius, shadow, and a border high contrast can see) without its focus-group machinery, which
 * a card with no click target doesn't need and the tab's bundle would carry for nothing.
 */
export const usePanelStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    minWidth: 0,
    boxSizing: 'border-box',
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow4,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorTransparentStroke}`,
  },
});
