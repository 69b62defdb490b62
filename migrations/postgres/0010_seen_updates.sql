-- 0010 (PostgreSQL; mirrors migrations/0010_seen_updates.sql): platform updates already handled, so that one
-- handed to a second webhook worker (Telegram's retry after a timeout) or fetched again by a new polling leader
-- is handled once.

CREATE TABLE seen_updates (
    key      TEXT    PRIMARY KEY,
    seen_at  BIGINT  NOT NULL
);
CREATE INDEX seen_updates_at ON seen_updates(seen_at);
