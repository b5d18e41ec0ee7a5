import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isUsableCa, isUsableLeaf, issueCa, issueLeaf, type PemPair } from './certificates.js';

/**
 * The sandbox's TLS material on disk: a local CA (trusted by Node through
 * NODE_EXTRA_CA_CERTS, which Node reads once at start-up) and a `localhost` leaf it signs.
 * Created once, then reused; the leaf is reissued when missing or expired, the CA only when
 * it is itself unusable, because replacing it would break every process that already trusts it.
 */

export interface SandboxTls {
  /** Absolute path of the CA certificate, for NODE_EXTRA_CA_CERTS or a browser's trust store. */
  readonly caPath: string;
  /** The CA certificate (PEM). */
  readonly ca: string;
  /** The leaf's private key (PEM), for `https.createServer`. */
  readonly key: string;
  /** The leaf certificate (PEM) for localhost, 127.0.0.1 and ::1. */
  readonly cert: string;
}

export interface LoadSandboxTlsOptions {
  /** Clock for validity decisions and new certificates; tests move it to exercise expiry. */
  readonly now?: () => number;
}

const FILES = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  leafCert: 'localhost.pem',
  leafKey: 'localhost-key.pem',
} as const;

/** A lock older than this belongs to a process that died mid-issue. */
const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 60_000;
const LOCK_POLL_MS = 50;

/** Returns the sandbox TLS material under `dir`, creating or renewing it as needed. */
export async function loadSandboxTls(dir: string, options: LoadSandboxTlsOptions = {}): Promise<SandboxTls> {
  const now = options.now ?? Date.now;
  const root = resolve(dir);
  // Fast path without the lock: files are replaced by rename, so a reader sees whole files.
  const current = await readMaterial(root, now());
  if (current !== undefined) return current;

  await mkdir(root, { recursive: true });
  return withLock(join(root, '.lock'), async () => {
    // Another process may have done the work while this one waited for the lock.
    const again = await readMaterial(root, now());
    if (again !== undefined) return again;
    const existingCa = await readPair(root, FILES.caCert, FILES.caKey);
    const ca = existingCa !== undefined && isUsableCa(existingCa, now()) ? existingCa : await issueCa(now());
    if (ca !== existingCa) await writePair(root, FILES.caCert, FILES.caKey, ca);
    const leaf = await issueLeaf(ca, now());
    await writePair(root, FILES.leafCert, FILES.leafKey, leaf);
    return material(root, ca, leaf);
  });
}

async function readMaterial(root: string, now: number): Promise<SandboxTls | undefined> {
  const ca = await readPair(root, FILES.caCert, FILES.caKey);
  const leaf = await readPair(root, FILES.leafCert, FILES.leafKey);
  if (ca === undefined || leaf === undefined) return undefined;
  if (!isUsableCa(ca, now) || !isUsableLeaf(leaf, ca, now)) return undefined;
  return material(root, ca, leaf);
}

function material(root: string, ca: PemPair, leaf: PemPair): SandboxTls {
  return { caPath: join(root, FILES.caCert), ca: ca.cert, key: leaf.key, cert: leaf.cert };
}

async function readPair(root: string, certFile: string, keyFile: string): Promise<PemPair | undefined> {
  try {
    const [cert, key] = await Promise.all([
      readFile(join(root, certFile), 'utf8'),
      readFile(join(root, keyFile), 'utf8'),
    ]);
    return { cert, key };
  } catch {
    return undefined;
  }
}

async function writePair(root: string, certFile: string, keyFile: string, pair: PemPair): Promise<void> {
  // A lock-free reader that catches one new and one old file sees a key that does not match
  // its certificate, rejects the pair and queues for the lock, so the order does not matter.
  await writeAtomically(join(root, keyFile), pair.key, 0o600);
  await writeAtomically(join(root, certFile), pair.cert, 0o644);
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
}

/** A cross-process lock: `mkdir` either creates the directory or fails, atomically. */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      if (await isStale(lockDir)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the sandbox TLS lock ${lockDir}`);
      await sleep(LOCK_POLL_MS);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function isStale(lockDir: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockDir)).mtimeMs > STALE_LOCK_MS;
  } catch {
    // Gone between our mkdir and stat: not stale, just free; the next attempt takes it.
    return false;
  }
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
