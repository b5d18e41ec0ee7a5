import assert from 'node:assert/strict';
import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/react-components';
import { colorSchemeFor, fluentThemeFor, themeFromQuery, toTeamsThemeName } from '../../tab/src/app/theme.js';

describe('tab theme', () => {
  it('maps each Teams theme to its Fluent Teams theme', () => {
    assert.equal(fluentThemeFor(toTeamsThemeName('default')), teamsLightTheme);
    assert.equal(fluentThemeFor(toTeamsThemeName('dark')), teamsDarkTheme);
    assert.equal(fluentThemeFor(toTeamsThemeName('contrast')), teamsHighContrastTheme);
  });

  it('draws anything it does not know as light', () => {
    for (const raw of ['glass', 'Dark', 'CONTRAST', '', 'high-contrast', undefined, null]) {
      assert.equal(toTeamsThemeName(raw), 'default', String(raw));
      assert.equal(fluentThemeFor(toTeamsThemeName(raw)), teamsLightTheme, String(raw));
    }
  });

  it('gives dark and contrast a dark color-scheme', () => {
    assert.equal(colorSchemeFor('default'), 'light');
    assert.equal(colorSchemeFor('dark'), 'dark');
    assert.equal(colorSchemeFor('contrast'), 'dark');
  });

  it('reads ?theme= for the dev fallback, unknown values as light', () => {
    assert.equal(themeFromQuery(''), undefined);
    assert.equal(themeFromQuery('?other=1'), undefined);
    assert.equal(themeFromQuery('?theme=dark'), 'dark');
    assert.equal(themeFromQuery('?a=b&theme=contrast'), 'contrast');
    assert.equal(themeFromQuery('?theme=sparkly'), 'default');
  });
});
