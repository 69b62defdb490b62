-- 0004 (PostgreSQL; mirrors migrations/0004_outbox_sender.sql): who a queued message is from.

ALTER TABLE outbox ADD COLUMN sender BIGINT REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX outbox_sender ON outbox(sender) WHERE sender IS NOT NULL;
