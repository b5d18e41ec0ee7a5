import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import sinon from 'sinon';
import {
  assemblePackage,
  bundledSchemaDir,
  checkIcons,
  decodePng,
  loadEnvironment,
  parseEnvFile,
  schemaUrl,
  substitutePlaceholders,
  type EnvVars,
  type PackageBuild,
  type PackageSources,
} from '../../appPackage/scripts/manifest.js';

const appPackageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../appPackage');

const TEST_ENV = {
  TEAMS_APP_ID: '11111111-1111-4111-8111-111111111111',
  BOT_ID: '22222222-2222-4222-8222-222222222222',
  AAD_APP_CLIENT_ID: '33333333-3333-4333-8333-333333333333',
  BOT_DOMAIN: 'callbridge.example.com',
  BOT_ENDPOINT: 'https://callbridge.example.com',
  APP_NAME_SUFFIX: '-test',
} as const satisfies EnvVars;

let template: string;
let assets: Map<string, Uint8Array>;

function sources(manifestTemplate = template): PackageSources {
  return { template: manifestTemplate, readAsset: (file) => Promise.resolve(assets.get(file)) };
}

function problemsOf(build: PackageBuild): readonly string[] {
  assert.ok(!build.ok, 'expected the build to fail');
  return build.problems;
}

function succeeded(build: PackageBuild): Extract<PackageBuild, { ok: true }> {
  assert.ok(build.ok, `expected success, got:\n${build.ok ? '' : build.problems.join('\n')}`);
  return build;
}

/** Edits the template as JSON: every placeholder sits inside a string, so it parses as is. */
function editTemplate(edit: (manifest: Record<string, unknown>) => void): string {
  const manifest = JSON.parse(template) as Record<string, unknown>;
  edit(manifest);
  return JSON.stringify(manifest);
}

describe('app package', () => {
  before(async () => {
    template = await readFile(path.join(appPackageDir, 'manifest.json'), 'utf8');
    assets = new Map();
    for (const file of ['color.png', 'outline.png']) {
      assets.set(file, await readFile(path.join(appPackageDir, file)));
    }
  });

  afterEach(() => {
    sinon.restore();
  });

  it('builds a manifest that passes the official schema without touching the network', async () => {
    const fetch = sinon.stub(globalThis, 'fetch').rejects(new Error('network used'));
    const build = succeeded(await assemblePackage(sources(), TEST_ENV));
    assert.equal(fetch.callCount, 0);
    assert.equal(build.manifest['id'], TEST_ENV.TEAMS_APP_ID);
  });

  it('uses the newest Teams schema bundled with @microsoft/app-manifest', async () => {
    const versions = (await readdir(bundledSchemaDir()))
      .map((dir) => /^v(\d+)\.(\d+)$/.exec(dir))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), Number(m[2])] as const)
      .sort(([a1, a2], [b1, b2]) => a1 - b1 || a2 - b2);
    const newest = versions.at(-1);
    assert.ok(newest !== undefined);
    const manifest = JSON.parse(template) as Record<string, unknown>;
    assert.equal(manifest['manifestVersion'], `${newest[0]}.${newest[1]}`);
    assert.equal(manifest['$schema'], schemaUrl(`${newest[0]}.${newest[1]}`));
  });

  it('reports every unresolved placeholder, empty values included', async () => {
    const { BOT_ID: _botId, BOT_DOMAIN: _domain, ...rest } = TEST_ENV;
    const problems = problemsOf(await assemblePackage(sources(), { ...rest, TEAMS_APP_ID: '' }));
    assert.equal(problems.length, 3, problems.join('\n'));
    for (const name of ['TEAMS_APP_ID', 'BOT_ID', 'BOT_DOMAIN']) {
      assert.ok(
        problems.some((p) => p.includes(`\${{${name}}}`)),
        `${name} missing from:\n${problems.join('\n')}`,
      );
    }
  });

  it('allows an empty APP_NAME_SUFFIX (production has none)', async () => {
    const build = succeeded(await assemblePackage(sources(), { ...TEST_ENV, APP_NAME_SUFFIX: '' }));
    assert.deepEqual(build.manifest['name'], {
      short: 'CallBridge',
      full: 'CallBridge: Webex Calling in Microsoft Teams',
    });
  });

  it('reports a name.short longer than 30 characters', async () => {
    const problems = problemsOf(
      await assemblePackage(sources(), { ...TEST_ENV, APP_NAME_SUFFIX: '-'.repeat(30) }),
    );
    assert.ok(
      problems.some((p) => p.includes('/name/short') && p.includes('30')),
      problems.join('\n'),
    );
  });

  it('reports a missing required field', async () => {
    const noDeveloper = editTemplate((m) => {
      delete m['developer'];
    });
    const problems = problemsOf(await assemblePackage(sources(noDeveloper), TEST_ENV));
    assert.ok(
      problems.some((p) => p.includes("required property 'developer'")),
      problems.join('\n'),
    );
  });

  it('reports a $schema that does not match manifestVersion', async () => {
    const mismatched = editTemplate((m) => {
      m['$schema'] = schemaUrl('1.19');
    });
    const problems = problemsOf(await assemblePackage(sources(mismatched), TEST_ENV));
    assert.ok(
      problems.some((p) => p.startsWith('$schema must be')),
      problems.join('\n'),
    );
  });

  it('escapes values so they cannot break the JSON', async () => {
    const build = succeeded(await assemblePackage(sources(), { ...TEST_ENV, APP_NAME_SUFFIX: ' "Q"\\' }));
    assert.deepEqual(build.manifest['name'], {
      short: 'CallBridge "Q"\\',
      full: 'CallBridge: Webex Calling in Microsoft Teams',
    });
  });

  it('leaves text without placeholders alone and lists each missing name once', () => {
    assert.deepEqual(substitutePlaceholders('${{ A }}/${{A}}/${{B}}/plain', { B: 'b' }), {
      text: '${{ A }}/${{A}}/b/plain',
      unresolved: ['A'],
    });
  });

  describe('icons', () => {
    it('ships a 192x192 opaque colour icon', () => {
      const color = decodePng(assets.get('color.png')!);
      assert.deepEqual([color.width, color.height], [192, 192]);
      for (let i = 3; i < color.rgba.length; i += 4) assert.equal(color.rgba[i], 255);
    });

    it('ships a 32x32 outline icon, white only on a transparent background', () => {
      const outline = decodePng(assets.get('outline.png')!);
      assert.deepEqual([outline.width, outline.height], [32, 32]);
      let transparent = 0;
      let visible = 0;
      for (let i = 0; i < outline.rgba.length; i += 4) {
        if (outline.rgba[i + 3] === 0) {
          transparent++;
        } else {
          visible++;
          assert.deepEqual([...outline.rgba.subarray(i, i + 3)], [255, 255, 255], `pixel ${i / 4}`);
        }
      }
      assert.ok(transparent > 0 && visible > 0);
      assert.equal(outline.rgba[3], 0, 'top-left corner is background');
      assert.deepEqual(checkIcons(assets.get('color.png')!, assets.get('outline.png')!), []);
    });

    it('rejects icons of the wrong size, opacity or colour', () => {
      const color = assets.get('color.png')!;
      const outline = assets.get('outline.png')!;
      const swapped = checkIcons(outline, color);
      assert.ok(swapped.includes('color icon must be 192x192, not 32x32.'), swapped.join('\n'));
      assert.ok(swapped.includes('color icon must be fully opaque.'), swapped.join('\n'));
      assert.ok(swapped.includes('outline icon must be 32x32, not 192x192.'), swapped.join('\n'));
      assert.ok(
        swapped.some((p) => p.startsWith('outline icon must be white only')),
        swapped.join('\n'),
      );
      assert.ok(swapped.includes('outline icon needs a transparent background.'), swapped.join('\n'));
      assert.deepEqual(checkIcons(new Uint8Array([1, 2, 3]), outline).length, 1);
    });
  });

  it('zips exactly manifest.json and the two icons, with values substituted', async () => {
    const build = succeeded(await assemblePackage(sources(), TEST_ENV));
    const entries = unzipSync(build.zip);
    assert.deepEqual(Object.keys(entries).sort(), ['color.png', 'manifest.json', 'outline.png']);
    assert.deepEqual(entries['color.png'], new Uint8Array(assets.get('color.png')!));
    assert.deepEqual(entries['outline.png'], new Uint8Array(assets.get('outline.png')!));

    const text = new TextDecoder().decode(entries['manifest.json']);
    assert.equal(text, build.manifestJson);
    assert.ok(!text.includes('${{'), 'no placeholder left');
    const manifest = JSON.parse(text) as {
      id: string;
      name: { short: string };
      staticTabs: { entityId: string; contentUrl?: string; scopes: string[] }[];
      bots: { botId: string; scopes: string[]; supportsFiles: boolean }[];
      composeExtensions: { botId: string; commands: { id: string; type: string; initialRun: boolean }[] }[];
      validDomains: string[];
      webApplicationInfo: { id: string; resource: string };
    };
    assert.equal(manifest.id, TEST_ENV.TEAMS_APP_ID);
    assert.equal(manifest.name.short, 'CallBridge-test');
    assert.deepEqual(manifest.staticTabs[0], {
      entityId: 'call',
      name: 'Call',
      contentUrl: 'https://callbridge.example.com/tab/index.html',
      scopes: ['personal'],
      context: ['personalTab'],
    });
    const [bot] = manifest.bots;
    const [extension] = manifest.composeExtensions;
    assert.ok(bot !== undefined && extension !== undefined);
    assert.equal(bot.botId, TEST_ENV.BOT_ID);
    assert.deepEqual(bot.scopes, ['personal']);
    assert.equal(bot.supportsFiles, false);
    assert.equal(extension.botId, TEST_ENV.BOT_ID);
    assert.deepEqual(
      extension.commands.map((c) => [c.id, c.type, c.initialRun]),
      [['searchPeople', 'query', true]],
    );
    assert.deepEqual(manifest.validDomains, ['callbridge.example.com']);
    assert.deepEqual(manifest.webApplicationInfo, {
      id: TEST_ENV.AAD_APP_CLIENT_ID,
      resource: `api://callbridge.example.com/botid-${TEST_ENV.BOT_ID}`,
    });
  });

  it('produces byte-identical zips for identical inputs', async () => {
    const a = succeeded(await assemblePackage(sources(), TEST_ENV));
    const b = succeeded(await assemblePackage(sources(), TEST_ENV));
    assert.deepEqual(a.zip, b.zip);
  });

  describe('env files', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'callbridge-env-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('parses KEY=value lines, comments and quotes', () => {
      assert.deepEqual(parseEnvFile('# c\n\nA=1\nB = "two words"\nC=\'x=y\'\nD=\nnot a line\n'), {
        A: '1',
        B: 'two words',
        C: 'x=y',
        D: '',
      });
    });

    it('layers .env.<name>.user (secrets) over .env.<name>', async () => {
      await writeFile(path.join(dir, '.env.qa'), 'BOT_ID=from-base\nBOT_DOMAIN=qa.example.com\n');
      await writeFile(path.join(dir, '.env.qa.user'), 'BOT_ID=from-user\nSECRET_BOT_PASSWORD=s\n');
      assert.deepEqual(await loadEnvironment(dir, 'qa'), {
        BOT_ID: 'from-user',
        BOT_DOMAIN: 'qa.example.com',
        SECRET_BOT_PASSWORD: 's',
      });
    });

    it('works without a .user file and refuses path-like names', async () => {
      await writeFile(path.join(dir, '.env.qa'), 'A=1\n');
      assert.deepEqual(await loadEnvironment(dir, 'qa'), { A: '1' });
      await assert.rejects(loadEnvironment(dir, '../qa'), /Invalid environment name/);
      await assert.rejects(loadEnvironment(dir, 'missing'), /not found/);
    });
  });
});
