import type { Migration } from './migration.js';

/**
 * Calls users placed through CallBridge, so whichever instance a status poll reaches can answer
 * `ended` after Webex stops listing the call. Keyed by (user, call) so a read is always scoped to
 * its owner; rows go with the user and are pruned by `seen_at` after about an hour.
 */

const sqlite = `
CREATE TABLE placed_calls (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  call_id TEXT NOT NULL,
  destination TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('ringing_devices', 'connecting', 'ringing_remote', 'connected', 'held', 'ended', 'failed')),
  answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
  started_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, call_id)
) STRICT;
CREATE INDEX placed_calls_seen ON placed_calls (seen_at);
`;

const postgres = `
CREATE TABLE placed_calls (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  call_id TEXT NOT NULL,
  destination TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('ringing_devices', 'connecting', 'ringing_remote', 'connected', 'held', 'ended', 'failed')),
  answered BOOLEAN NOT NULL,
  started_at BIGINT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, call_id)
);
CREATE INDEX placed_calls_seen ON placed_calls (seen_at);
`;

export const m003PlacedCalls: Migration = { version: 3, name: 'placed_calls', sqlite, postgres };
