import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../bot/src/observability/logger.js';
import { openStore } from '../bot/src/store/open.js';
import { SQLITE_FILE_NAME } from '../bot/src/store/sqlite/sqliteStore.js';
import type { Store } from '../bot/src/store/store.js';
import type { Benchmark } from './lib/bench.js';
import { measure, memorySnapshot } from './lib/measure.js';
import { formatBytes } from './lib/report.js';

const USERS = 100_000;
/** Enrolment stops here if it is not done, and the table reports the users upserted by then. */
const MAX_UPSERT_SECONDS = 60;
const WARMUP_USERS = 1_000;
/** Upserts on a real disk: synchronous=FULL makes each one an fsync, so only a sample. */
const DISK_SAMPLE = 300;
const TENANT = '00000000-0000-4000-8000-0000000000d0';

interface Measured {
  readonly users: number;
  readonly dir: string;
  readonly tmpfs: boolean;
  readonly ms: number;
  readonly rssBefore: number;
  readonly rssHalfway: number;
  readonly rssAfter: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly heapTotalBefore: number;
  readonly heapTotalAfter: number;
  readonly externalBefore: number;
  readonly externalAfter: number;
  readonly dbBytes: number;
  readonly walBytes: number;
  readonly diskSampleMsPerUser: number;
  readonly diskDir: string;
}

/**
 * Memory and time of enrolling 100,000 users in SQLite, in a fresh child process with
 * `--expose-gc` so nothing else the run did sits in its heap: the baseline the presence-sync
 * feature's in-memory state will add to.
 */
export const storeMemory: Benchmark = {
  id: 'memory',
  async run(ctx) {
    const m = await new Promise<Measured>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), ['--memory-child', ctx.tmpDir], {
        execArgv: [...process.execArgv, '--expose-gc'],
        stdio: 'inherit',
      });
      child.once('message', (message) => {
        resolve(message as Measured);
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code !== 0) reject(new Error(`memory benchmark child exited with ${code}`));
      });
    });
    const perUser = (bytes: number): number => bytes / m.users;
    return {
      id: 'memory',
      title: `Store memory: ${m.users.toLocaleString('en-US')} users upserted into SQLite one by one (fresh process, after GC)`,
      columns: [
        { key: 'total', label: 'total', format: 'text' },
        { key: 'perUser', label: 'per user', format: 'text' },
      ],
      rows: [
        {
          case: `time (${m.tmpfs ? 'tmpfs, fsync free' : 'disk'})`,
          values: {
            total: `${(m.ms / 1000).toFixed(2)} s`,
            perUser: `${((m.ms * 1000) / m.users).toFixed(1)} µs`,
          },
        },
        {
          case: 'time on disk (sample, fsync each)',
          values: {
            total: `${((m.diskSampleMsPerUser * m.users) / 1000).toFixed(0)} s projected`,
            perUser: `${(m.diskSampleMsPerUser * 1000).toFixed(0)} µs`,
          },
        },
        {
          case: 'RSS growth',
          values: {
            total: formatBytes(m.rssAfter - m.rssBefore),
            perUser: `${perUser(m.rssAfter - m.rssBefore).toFixed(1)} B`,
          },
        },
        {
          case: 'RSS growth: 1st half / 2nd half',
          values: {
            total: `${formatBytes(m.rssHalfway - m.rssBefore)} / ${formatBytes(m.rssAfter - m.rssHalfway)}`,
            perUser: '',
          },
        },
        {
          case: 'JS heap growth',
          values: {
            total: formatBytes(m.heapAfter - m.heapBefore),
            perUser: `${perUser(m.heapAfter - m.heapBefore).toFixed(1)} B`,
          },
        },
        {
          case: 'database file (WAL not counted)',
          values: { total: formatBytes(m.dbBytes), perUser: `${perUser(m.dbBytes).toFixed(0)} B` },
        },
        {
          case: 'RSS after / heap after',
          values: { total: `${formatBytes(m.rssAfter)} / ${formatBytes(m.heapAfter)}`, perUser: '' },
        },
      ],
      notes: [
        ...(m.users < USERS
          ? [
              `STOPPED after ${MAX_UPSERT_SECONDS} s with ${m.users.toLocaleString('en-US')} of ${USERS.toLocaleString('en-US')} users`,
            ]
          : []),
        "RSS growth is native, not JS: mostly SQLite's page cache, which better-sqlite3 caps at 16 MB per connection (cache_size=-16000), so it levels off; per-user RSS is an upper bound that falls as users grow",
        `${WARMUP_USERS.toLocaleString('en-US')} warm-up users first; "before" is after the warm-up. Store in ${m.dir}${m.tmpfs ? ' (tmpfs: measures CPU and memory, not the disk)' : ''}`,
        `disk sample: ${DISK_SAMPLE} upserts in ${m.diskDir}; WAL file at the end ${formatBytes(m.walBytes)}; JS heap reserved grew ${formatBytes(m.heapTotalAfter - m.heapTotalBefore)}, native (external) ${formatBytes(m.externalAfter - m.externalBefore)}`,
      ],
      raw: m,
    };
  },
};

async function openIn(dir: string): Promise<Store> {
  const opened = await openStore({ dataDir: dir, databaseUrl: undefined }, createLogger({ level: 'silent' }));
  if (!opened.ok) throw opened.error;
  return opened.value;
}

/** Deterministic Entra-object-id-shaped ids. */
const aadObjectId = (i: number): string => `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;

async function child(tmpDir: string): Promise<Measured> {
  const tmpfs = existsSync('/dev/shm');
  const dir = mkdtempSync(path.join(tmpfs ? '/dev/shm' : tmpDir, 'cb-bench-users-'));
  try {
    const store = await openIn(dir);
    for (let i = 0; i < WARMUP_USERS; i += 1)
      await store.users.upsert({ tenantId: 'warmup', aadObjectId: aadObjectId(i) });
    const deadline = performance.now() + MAX_UPSERT_SECONDS * 1000;
    let users = 0;
    const upsert = (to: number) =>
      measure(async () => {
        for (; users < to && performance.now() < deadline; users += 1)
          await store.users.upsert({ tenantId: TENANT, aadObjectId: aadObjectId(users) });
      });
    const before = memorySnapshot();
    const first = await upsert(USERS / 2);
    const halfway = memorySnapshot();
    const second = await upsert(USERS);
    const after = memorySnapshot();
    const ms = first.ms + second.ms;
    const counted = await store.users.count();
    if (counted !== users + WARMUP_USERS)
      throw new Error(`expected ${users + WARMUP_USERS} users, found ${counted}`);
    const db = path.join(dir, SQLITE_FILE_NAME);
    const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);
    const dbBytes = sizeOf(db);
    const walBytes = sizeOf(`${db}-wal`);
    await store.close();

    const diskDir = path.join(tmpDir, 'users-disk');
    const disk = await openIn(diskDir);
    const sample = await measure(async () => {
      for (let i = 0; i < DISK_SAMPLE; i += 1)
        await disk.users.upsert({ tenantId: TENANT, aadObjectId: aadObjectId(i) });
    });
    await disk.close();
    return {
      users,
      dir,
      tmpfs,
      ms,
      rssBefore: before.rss,
      rssHalfway: halfway.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      heapTotalBefore: before.heapTotal,
      heapTotalAfter: after.heapTotal,
      externalBefore: before.external,
      externalAfter: after.external,
      dbBytes,
      walBytes,
      diskSampleMsPerUser: sample.ms / DISK_SAMPLE,
      diskDir,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--memory-child') {
  child(process.argv[3] ?? os.tmpdir()).then(
    (measured) => {
      process.send?.(measured, () => process.exit(0));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
