import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
} from '@fluentui/react-components';

/** The Teams themes the tab renders distinctly; anything else Teams sends is drawn as `default`. */
export type TeamsThemeName = 'default' | 'dark' | 'contrast';

const FLUENT_THEMES: Readonly<Record<TeamsThemeName, Theme>> = {
  default: teamsLightTheme,
  dark: teamsDarkTheme,
  contrast: teamsHighContrastTheme,
};

/**
 * Narrows what Teams reports (`context.app.theme`, the theme-change handler) to a theme we
 * draw. Teams may add themes (it already reports `glass` in some hosts); light is the safe
 * reading for any we don't know, since every Teams theme family has a light base.
 */
export function toTeamsThemeName(raw: string | null | undefined): TeamsThemeName {
  return raw === 'dark' || raw === 'contrast' ? raw : 'default';
}

export function fluentThemeFor(name: TeamsThemeName): Theme {
  return FLUENT_THEMES[name];
}

/** For the page's CSS `color-scheme`, so scrollbars and native controls match the theme. */
export function colorSchemeFor(name: TeamsThemeName): 'light' | 'dark' {
  return name === 'default' ? 'light' : 'dark';
}

/**
 * `?theme=` from the page URL. Only honoured when Teams did not answer (the page was opened
 * straight in a browser): inside Teams the host's theme always wins, so a stale or hand-edited
 * tab URL can never fight the user's Teams setting. Exists so the shell can be looked at in
 * each theme without a Teams tenant.
 */
export function themeFromQuery(search: string): TeamsThemeName | undefined {
  const value = new URLSearchParams(search).get('theme');
  return value === null ? undefined : toTeamsThemeName(value);
}
