-- 0005 (PostgreSQL; mirrors migrations/0005_two_breaks.sql): two people in one time-out.

ALTER TABLE timeouts ADD COLUMN partner_started BIGINT;
ALTER TABLE timeouts ADD COLUMN partner_until BIGINT;
ALTER TABLE timeouts ADD COLUMN partner_extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timeouts ADD COLUMN hushed TEXT NOT NULL DEFAULT '';
ALTER TABLE timeouts ADD COLUMN open_until BIGINT;
UPDATE timeouts SET open_until = return_at + 1800;
