-- Expiry scans undelivered messages by state and expiry time (delivery/push/expire-messages.ts).
CREATE INDEX messages_expiry ON messages (state, expires_at);
