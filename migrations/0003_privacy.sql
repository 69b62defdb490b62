-- 0003: explicit consent (GDPR art. 9: feelings can be health data) and the clean-up of private text.

ALTER TABLE users ADD COLUMN consent_at INTEGER;  -- when they agreed that feelings and plans are kept; NULL: not
ALTER TABLE sessions ADD COLUMN private INTEGER NOT NULL DEFAULT 0;  -- 1: holds private free text
CREATE INDEX sessions_private ON sessions(updated_at) WHERE private = 1;  -- the janitor's 7-day wipe
