import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';

/**
 * Certificate issuance for the sandbox: one local root CA, and a `localhost` server
 * certificate it signs. Nothing here touches the file system; `sandbox-tls.ts` decides when
 * to (re)issue and where the PEM files live.
 */

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Long enough that the CA Node trusts at start-up never changes under a developer. */
const CA_LIFETIME_DAYS = 3650;
/** About a year, as the brief asks; `loadSandboxTls` reissues it when it lapses. */
const LEAF_LIFETIME_DAYS = 365;
/** Backdating absorbs small clock differences between this process and its peers. */
const BACKDATE_MS = 60 * 60 * 1000;
/** Material this close to expiry is treated as expired, so a test run never straddles it. */
const RENEW_MARGIN_MS = DAY_MS;

/** The names the leaf must cover: every way a test or browser reaches a local stand-in. */
export const LEAF_HOSTS = ['localhost'] as const;
export const LEAF_IPS = ['127.0.0.1', '::1'] as const;

export async function issueCa(now: number): Promise<PemPair> {
  const pems = await generate(
    [
      // A unique name per CA: verifiers look issuers up by name, and two sandbox CAs sharing
      // one (another checkout, a test's own CA) would turn "unknown issuer" into a confusing
      // signature failure.
      { name: 'commonName', value: `CallBridge Sandbox Local CA ${randomBytes(4).toString('hex')}` },
      { name: 'organizationName', value: 'CallBridge sandbox (not for production)' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - BACKDATE_MS),
      notAfterDate: new Date(now + CA_LIFETIME_DAYS * DAY_MS),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

export async function issueLeaf(ca: PemPair, now: number): Promise<PemPair> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - BACKDATE_MS),
    notAfterDate: new Date(now + LEAF_LIFETIME_DAYS * DAY_MS),
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...LEAF_HOSTS.map((value) => ({ type: 2 as const, value })),
          ...LEAF_IPS.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A usable CA: parses, is a CA, matches its key and is not about to expire. */
export function isUsableCa(ca: PemPair, now: number): boolean {
  const cert = parse(ca);
  return cert !== undefined && cert.ca && stillValid(cert, now);
}

/** A usable leaf: signed by this CA, matches its key, covers every sandbox host, not expiring. */
export function isUsableLeaf(leaf: PemPair, ca: PemPair, now: number): boolean {
  const cert = parse(leaf);
  const issuer = parse(ca);
  if (cert === undefined || issuer === undefined) return false;
  if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false;
  if (!stillValid(cert, now)) return false;
  return (
    LEAF_HOSTS.every((host) => cert.checkHost(host) !== undefined) &&
    LEAF_IPS.every((ip) => cert.checkIP(ip) !== undefined)
  );
}

function parse(pair: PemPair): X509Certificate | undefined {
  try {
    const cert = new X509Certificate(pair.cert);
    return cert.checkPrivateKey(createPrivateKey(pair.key)) ? cert : undefined;
  } catch {
    return undefined;
  }
}

function stillValid(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) - RENEW_MARGIN_MS > now;
}
