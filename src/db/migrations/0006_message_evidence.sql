-- Long-term evidence kept beside a message (issue 5, CAdES-LT/-T style): the CRLs and OCSP responses
-- that decided its signatures' revocation status, and RFC 3161 tokens over signature values the
-- gateway could not embed (a sender's container signatures stay byte-identical; the gateway's own
-- receipts). The bytes are blobs (content-addressed files); this table says what each one is.
CREATE TABLE message_evidence (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL REFERENCES messages (id),
  receipt_id TEXT,
  path TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('crl', 'ocsp', 'signature-timestamp')),
  blob TEXT NOT NULL,
  gen_time TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX message_evidence_message ON message_evidence (message_id);
