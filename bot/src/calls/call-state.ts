/**
 * Where a call placed through CallBridge stands, as the Call tab, the cards and the store name
 * it. A leaf module with no imports, so the tab can bundle it and the store can check against it.
 */
export const CALL_STATES = [
  'ringing_devices',
  'connecting',
  'ringing_remote',
  'connected',
  'held',
  'ended',
  'failed',
] as const;

export type CallState = (typeof CALL_STATES)[number];
