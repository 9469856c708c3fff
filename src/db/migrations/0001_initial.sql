-- edx-gateway initial schema (SQLite). Kept in step with src/db/schema/*.ts; a test compares them.
CREATE TABLE participants (
  id TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('government', 'enterprise')),
  category TEXT NOT NULL,
  name TEXT NOT NULL,
  short_name TEXT NOT NULL,
  inn TEXT NOT NULL CHECK (length(inn) IN (10, 12)),
  ogrn TEXT NOT NULL CHECK (length(ogrn) IN (13, 15)),
  kpp TEXT,
  parent_id TEXT REFERENCES participants (id),
  region TEXT,
  address TEXT,
  email TEXT,
  phone TEXT,
  delivery_mode TEXT NOT NULL CHECK (delivery_mode IN ('pull', 'push')),
  push_endpoint TEXT,
  state TEXT NOT NULL CHECK (state IN ('active', 'suspended')),
  signatory_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (delivery_mode = 'pull' OR push_endpoint IS NOT NULL)
);
CREATE INDEX participants_inn ON participants (inn);
CREATE INDEX participants_ogrn ON participants (ogrn);
CREATE INDEX participants_parent ON participants (parent_id);

CREATE TABLE certificates (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  fingerprint TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL,
  subject TEXT NOT NULL,
  issuer TEXT NOT NULL,
  serial_number TEXT NOT NULL,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
  hosted_key_path TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX certificates_participant ON certificates (participant_id);

CREATE TABLE trust_anchors (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  der BLOB NOT NULL,
  subject TEXT NOT NULL,
  label TEXT NOT NULL,
  qualified INTEGER NOT NULL CHECK (qualified IN (0, 1)),
  created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY NOT NULL,
  participant_id TEXT NOT NULL REFERENCES participants (id),
  name TEXT NOT NULL,
  roles_json TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_tokens_participant ON api_tokens (participant_id);

CREATE TABLE submissions (
  id TEXT PRIMARY KEY NOT NULL,
  sender_id TEXT NOT NULL REFERENCES participants (id),
  idempotency_key TEXT,
  request_hash TEXT NOT NULL,
  response_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX submissions_idempotency ON submissions (sender_id, idempotency_key);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  id TEXT NOT NULL UNIQUE,
  submission_id TEXT NOT NULL REFERENCES submissions (id),
  sender_id TEXT NOT NULL REFERENCES participants (id),
  recipient_id TEXT NOT NULL REFERENCES participants (id),
  state TEXT NOT NULL CHECK (state IN ('accepted', 'queued', 'retrying', 'delivered', 'registered', 'refused', 'answered', 'failed')),
  kind TEXT NOT NULL,
  reg_number TEXT NOT NULL,
  reg_date TEXT NOT NULL,
  subject TEXT NOT NULL,
  in_reply_to TEXT,
  response_due TEXT,
  envelope_digest TEXT NOT NULL,
  container_blob TEXT NOT NULL,
  container_size INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  delivered_at TEXT,
  expires_at TEXT NOT NULL,
  next_attempt_at TEXT,
  attempts INTEGER NOT NULL,
  answered_by TEXT
);
CREATE INDEX messages_inbox ON messages (recipient_id, seq);
CREATE INDEX messages_sent ON messages (sender_id, seq);
CREATE INDEX messages_due ON messages (state, next_attempt_at);
CREATE INDEX messages_reply ON messages (in_reply_to);

CREATE TABLE message_files (
  message_id TEXT NOT NULL REFERENCES messages (id),
  file_id TEXT NOT NULL,
  role TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  digest_algorithm TEXT NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (message_id, file_id)
);

CREATE TABLE signature_reports (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  message_id TEXT NOT NULL REFERENCES messages (id),
  receipt_id TEXT,
  path TEXT NOT NULL,
  role TEXT NOT NULL,
  file_id TEXT,
  indication TEXT NOT NULL,
  sub_indication TEXT,
  signer TEXT,
  report_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX signature_reports_message ON signature_reports (message_id);

CREATE TABLE receipts (
  id TEXT PRIMARY KEY NOT NULL,
  message_id TEXT NOT NULL REFERENCES messages (id),
  kind TEXT NOT NULL CHECK (kind IN ('accepted', 'rejected', 'delivered', 'not-delivered', 'registered', 'refused')),
  issued_by TEXT NOT NULL CHECK (issued_by IN ('gateway', 'recipient')),
  issuer_id TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  container_blob TEXT NOT NULL,
  receipt_digest TEXT NOT NULL UNIQUE,
  registration_number TEXT,
  registration_date TEXT,
  reason_code TEXT,
  reason_text TEXT
);
CREATE INDEX receipts_message ON receipts (message_id);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  message_id TEXT,
  from_state TEXT,
  to_state TEXT,
  detail_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX events_message ON events (message_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
