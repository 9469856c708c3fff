-- Journal reads by event type (the trust anchors' sources, the console's audit filter) without a
-- scan of the whole append-only journal.
CREATE INDEX events_type ON events (type, seq);
-- Gateway receipts still waiting for their signature time-stamp (TSA down when issued).
CREATE INDEX message_evidence_receipt ON message_evidence (receipt_id, kind);
