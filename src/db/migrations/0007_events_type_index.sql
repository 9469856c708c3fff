-- Journal reads by event type (the trust anchors' sources, the console's audit filter) without a
-- scan of the whole append-only journal.
CREATE INDEX events_type ON events (type, seq);
