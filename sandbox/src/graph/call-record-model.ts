import { createHash } from 'node:crypto';
import type { DemoUser } from '../seed/org.js';
import { formatSecondsDuration, graphDateTime } from './time-format.js';

/**
 * The shape of a call record (callRecord → sessions → segments → media → streams) as the
 * callRecords API documents it. Quality figures are derived from the record id, so the same call
 * always reports the same jitter and round-trip times.
 */

export interface StoredCallRecord {
  readonly id: string;
  readonly type: 'peerToPeer' | 'groupCall';
  readonly modalities: readonly string[];
  readonly organizer: DemoUser;
  readonly participants: readonly DemoUser[];
  readonly start: number;
  readonly end: number;
  readonly joinWebUrl: string | null;
  readonly sessionCount: number;
  /** When the record becomes readable (Graph publishes records some minutes after the call). */
  readonly availableAt: number;
  version: number;
  lastModified: number;
}

function identitySet(user: DemoUser, tenantId: string): Record<string, unknown> {
  return { user: { id: user.id, displayName: user.displayName, tenantId }, application: null, device: null };
}

function participantEndpoint(user: DemoUser, tenantId: string): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.callRecords.participantEndpoint',
    name: null,
    cpuCoresCount: null,
    cpuName: null,
    cpuProcessorSpeedInMhz: null,
    feedback: null,
    userAgent: {
      '@odata.type': '#microsoft.graph.callRecords.clientUserAgent',
      headerValue: 'CallBridge-Sandbox/1.0 (Windows 10.0.22631)',
      platform: 'windows',
      productFamily: 'teams',
      communicationServiceId: null,
      azureADAppId: null,
    },
    associatedIdentity: {
      id: user.id,
      displayName: user.displayName,
      tenantId,
      userPrincipalName: user.userPrincipalName,
    },
  };
}

/** Deterministic pseudo-random numbers in [0, 1) from a label. */
function unit(label: string): number {
  return createHash('sha256').update(label).digest().readUInt32BE(0) / 0x1_0000_0000;
}

function stream(
  recordId: string,
  session: number,
  direction: 'callerToCallee' | 'calleeToCaller',
  start: number,
  end: number,
): Record<string, unknown> {
  const seed = `${recordId}:${session}:${direction}`;
  const jitterMs = 8 + Math.round(unit(`${seed}:j`) * 20);
  const rttMs = 30 + Math.round(unit(`${seed}:r`) * 60);
  const loss = Number((unit(`${seed}:l`) * 0.02).toFixed(4));
  return {
    streamId: String(1_000_000_000 + Math.floor(unit(`${seed}:id`) * 999_999_999)),
    startDateTime: graphDateTime(start),
    endDateTime: graphDateTime(end),
    streamDirection: direction,
    averageAudioDegradation: null,
    averageJitter: formatSecondsDuration(jitterMs),
    maxJitter: formatSecondsDuration(jitterMs * 3),
    averagePacketLossRate: loss,
    maxPacketLossRate: Number((loss * 4).toFixed(4)),
    averageRatioOfConcealedSamples: null,
    maxRatioOfConcealedSamples: null,
    averageRoundTripTime: formatSecondsDuration(rttMs),
    maxRoundTripTime: formatSecondsDuration(rttMs * 2),
    packetUtilization: Math.round((end - start) / 20),
    averageBandwidthEstimate: 9_000_000 + Math.round(unit(`${seed}:b`) * 1_000_000),
    wasMediaBypassed: false,
    postForwardErrorCorrectionPacketLossRate: null,
    averageVideoFrameLossPercentage: null,
    averageReceivedFrameRate: null,
    lowFrameRateRatio: null,
    averageVideoPacketLossRate: null,
    averageVideoFrameRate: null,
    lowVideoProcessingCapabilityRatio: null,
    averageAudioNetworkJitter: null,
    maxAudioNetworkJitter: null,
    rmsFreezeDuration: null,
    averageFreezeDuration: null,
    isAudioForwardErrorCorrectionUsed: false,
    audioCodec: 'satin',
    videoCodec: null,
  };
}

function network(label: string): Record<string, unknown> {
  const octet = 2 + Math.floor(unit(label) * 200);
  return {
    ipAddress: `10.150.0.${octet}`,
    subnet: '10.150.0.0',
    linkSpeed: 54_000_000,
    connectionType: 'wired',
    port: 50000 + octet,
  };
}

const DEVICE = {
  captureDeviceName: 'Default input device',
  renderDeviceName: 'Default output device',
  receivedSignalLevel: -10,
};

/** Session `index` of a record: a leg between two participants spanning the call. */
export function sessionJson(
  record: StoredCallRecord,
  index: number,
  tenantId: string,
  withSegments: boolean,
): Record<string, unknown> {
  const people = record.participants.length > 1 ? record.participants : [record.organizer, record.organizer];
  const caller = people[index % people.length] ?? record.organizer;
  const callee = people[(index + 1) % people.length] ?? record.organizer;
  const id = createHash('sha256').update(`${record.id}:session:${index}`).digest('hex');
  const sessionId = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
  const base: Record<string, unknown> = {
    modalities: [...record.modalities],
    startDateTime: graphDateTime(record.start),
    endDateTime: graphDateTime(record.end),
    id: sessionId,
    isTest: false,
    caller: participantEndpoint(caller, tenantId),
    callee: participantEndpoint(callee, tenantId),
    failureInfo: null,
  };
  if (!withSegments) return base;
  return {
    ...base,
    segments: [
      {
        startDateTime: graphDateTime(record.start),
        endDateTime: graphDateTime(record.end),
        id: sessionId,
        caller: participantEndpoint(caller, tenantId),
        callee: participantEndpoint(callee, tenantId),
        failureInfo: null,
        media: [
          {
            label: 'main-audio',
            callerNetwork: network(`${sessionId}:caller`),
            calleeNetwork: network(`${sessionId}:callee`),
            callerDevice: DEVICE,
            calleeDevice: DEVICE,
            streams: [
              stream(record.id, index, 'callerToCallee', record.start, record.end),
              stream(record.id, index, 'calleeToCaller', record.start, record.end),
            ],
          },
        ],
      },
    ],
  };
}

/** The call record's own properties (no sessions). */
export function callRecordJson(
  record: StoredCallRecord,
  tenantId: string,
  serviceRoot: string,
): Record<string, unknown> {
  const self = `${serviceRoot}/$metadata#communications/callRecords('${record.id}')`;
  return {
    version: record.version,
    type: record.type,
    modalities: [...record.modalities],
    lastModifiedDateTime: graphDateTime(record.lastModified),
    startDateTime: graphDateTime(record.start),
    endDateTime: graphDateTime(record.end),
    id: record.id,
    joinWebUrl: record.joinWebUrl,
    organizer: identitySet(record.organizer, tenantId),
    participants: record.participants.map((p) => identitySet(p, tenantId)),
    'organizer_v2@odata.context': `${self}/organizer_v2/$entity`,
    organizer_v2: { id: record.organizer.id, identity: identitySet(record.organizer, tenantId) },
    'participants_v2@odata.context': `${self}/participants_v2/$entity`,
  };
}
