-- 0007 (PostgreSQL; mirrors migrations/0007_processes.sql): several processes on one database: who is on it
-- (a row kept alive by a lease), who is delivering which outbox row (a claim), the consoles' shared clock.

CREATE TABLE processes (
    id           TEXT    PRIMARY KEY,
    kind         TEXT    NOT NULL,
    serves       TEXT    NOT NULL,
    schema       INTEGER NOT NULL,
    pid          INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    started_at   BIGINT  NOT NULL,
    lease_until  BIGINT  NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
CREATE INDEX outbox_claimed ON outbox(claimed_by) WHERE claimed_by IS NOT NULL;

CREATE TABLE console_clock (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    now  BIGINT  NOT NULL
);
