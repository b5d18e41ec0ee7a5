import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PARTIAL_RESULTS_TITLE } from '../../../bot/src/messaging-extension/sso-query.js';
import { startSandbox, type RunningSandbox } from '../../../sandbox/src/launch.js';

/**
 * The composed service (bot/src/compose.ts) in the whole sandbox: a signed `composeExtension/query`
 * with the Teams SSO token, from a channel and from a group chat, answered with person cards, the
 * conversation's members first.
 */

interface CardAnswer {
  composeExtension?: {
    type?: string;
    attachments?: { contentType?: string; preview?: { content?: { title?: string } } }[];
  };
}

describe('messaging extension search in the sandbox world', function () {
  this.timeout(60_000);
  let world: RunningSandbox | undefined;
  let dataDir: string;

  before(async function () {
    dataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-me-world-'));
    world = await startSandbox({
      ports: 'ephemeral',
      dataDir,
      serviceEnv: { LOG_LEVEL: 'warn' },
      collectDefaultMetrics: false,
      logDestination: { write: () => undefined },
    });
    if (!world.caTrusted) {
      console.log('      (skipped: the sandbox CA is not trusted; run through node scripts/test.mjs)');
      this.skip();
    }
  });

  after(async () => {
    await world?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function query(
    userId: string,
    scope: {
      conversationType: 'channel' | 'groupChat';
      teamId?: string;
      channelId?: string;
      chatId?: string;
    },
    text: string,
  ): Promise<string[]> {
    const w = world!;
    const invoke = await w.standIns.botChannel.invokeComposeExtensionQuery({
      userId,
      ...scope,
      commandId: 'searchPeople',
      parameters: [{ name: 'query', value: text }],
      queryOptions: { skip: 0, count: 25 },
      ssoToken: await w.standIns.entra.ssoToken(userId),
    });
    assert.equal(invoke.status, 200);
    const body = invoke.body as CardAnswer;
    assert.equal(body.composeExtension?.type, 'result');
    const attachments = body.composeExtension.attachments ?? [];
    for (const a of attachments) {
      const hint = a.preview?.content?.title === PARTIAL_RESULTS_TITLE;
      assert.equal(
        a.contentType,
        hint ? 'application/vnd.microsoft.card.thumbnail' : 'application/vnd.microsoft.card.adaptive',
      );
    }
    return attachments.map((a) => a.preview?.content?.title ?? '');
  }

  it("lists a channel's members first", async () => {
    const w = world!;
    const team = w.org.teams[0]!;
    const channel = team.channels.find((c) => c.displayName === 'Escalations')!;
    const searcher = w.org.users.find((u) => u.id === channel.memberIds[0])!;
    const members = new Set(channel.memberIds.map((id) => w.org.users.find((u) => u.id === id)!.displayName));
    const names = await query(
      searcher.id,
      { conversationType: 'channel', teamId: team.id, channelId: channel.id },
      'b',
    );
    assert.ok(names.length > 0, 'people were found');
    const firstOutsider = names.findIndex((n) => !members.has(n));
    const lastMember = names.map((n) => members.has(n)).lastIndexOf(true);
    assert.ok(lastMember >= 0, 'a channel member matching "b" is listed');
    assert.ok(firstOutsider === -1 || lastMember < firstOutsider, `members come first: ${names.join(', ')}`);
  });

  it("lists a group chat's members first", async () => {
    const w = world!;
    const chat = w.org.chats.find((c) => c.chatType === 'group')!;
    const searcher = w.org.users.find((u) => u.id === chat.memberIds[0])!;
    const members = new Set(chat.memberIds.map((id) => w.org.users.find((u) => u.id === id)!.displayName));
    const names = await query(searcher.id, { conversationType: 'groupChat', chatId: chat.id }, '');
    assert.ok(names.length >= members.size - 1);
    const memberFlags = names.map((n) => members.has(n));
    const firstOutsider = memberFlags.indexOf(false);
    assert.ok(firstOutsider === -1 || !memberFlags.slice(firstOutsider).includes(true), names.join(', '));
  });

  it("answers by the deadline when a source is slow, with the others' people and a note", async () => {
    const w = world!;
    const team = w.org.teams[0]!;
    const channel = team.channels.find((c) => c.displayName === 'General')!;
    const searcher = w.org.users.find((u) => u.id === channel.memberIds[0])!;
    w.standIns.graph.faults.setDelay('contacts', 3_000);
    try {
      const started = Date.now();
      const names = await query(
        searcher.id,
        { conversationType: 'channel', teamId: team.id, channelId: channel.id },
        'a',
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 4_000, `answered in ${elapsed} ms, inside Teams' 5 s`);
      assert.ok(names.length > 1, 'the channel and directory people arrived');
      assert.equal(names.at(-1), PARTIAL_RESULTS_TITLE, 'the last card says results may be incomplete');
    } finally {
      w.standIns.graph.faults.clearDelays();
    }
  });
});
