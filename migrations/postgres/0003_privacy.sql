-- 0003 (PostgreSQL; mirrors migrations/0003_privacy.sql): explicit consent and the clean-up of private text.

ALTER TABLE users ADD COLUMN consent_at BIGINT;
ALTER TABLE sessions ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_private ON sessions(updated_at) WHERE private = 1;
