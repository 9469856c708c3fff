-- Web console (issue 6): server-side sessions, and indexes for the console's searches and reports.
-- Only the SHA-256 of the session id is stored, so a copy of the database cannot sign anyone in.
CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY NOT NULL,
  token_id TEXT NOT NULL REFERENCES api_tokens (id),
  participant_id TEXT NOT NULL REFERENCES participants (id),
  csrf_token TEXT NOT NULL,
  lang TEXT NOT NULL CHECK (lang IN ('ru', 'en')),
  time_zone TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
-- Search by registration number (exact or prefix) without a scan.
CREATE INDEX messages_reg_number ON messages (reg_number);
-- The messages page filtered by state, newest first, reads this index in order instead of sorting.
CREATE INDEX messages_state_seq ON messages (state, seq);
-- The executive-discipline report reads letters by their response deadline.
CREATE INDEX messages_response_due ON messages (response_due, state);
