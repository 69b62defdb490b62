-- 0001: people, their dialogue state, time-outs, durable timers and the outbox.
-- Times are INTEGER unix seconds (UTC). Private free text lives only in sessions.data (JSON).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    platform      TEXT    NOT NULL,            -- console | telegram | discord
    external_id   TEXT    NOT NULL,            -- the platform's user id
    chat_id       TEXT    NOT NULL DEFAULT '', -- where messages go (a private chat or DM channel)
    name          TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL,
    tz            TEXT    NOT NULL,
    country       TEXT    NOT NULL,
    unreachable   INTEGER NOT NULL DEFAULT 0,  -- blocked the bot / closed DMs
    created_at    INTEGER NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE couples (
    id          INTEGER PRIMARY KEY,
    a           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    b           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    CHECK (a <> b)
);
CREATE UNIQUE INDEX couples_a ON couples(a);
CREATE UNIQUE INDEX couples_b ON couples(b);

CREATE TABLE sessions (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    data        TEXT    NOT NULL,              -- the core Session as JSON (phase, private plan)
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE timeouts (
    id               TEXT    PRIMARY KEY,
    initiator        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    partner          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    started_at       INTEGER NOT NULL,
    return_at        INTEGER NOT NULL,
    extensions_used  INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL,
    ready            TEXT    NOT NULL DEFAULT '',  -- comma-separated user ids
    notified         INTEGER NOT NULL DEFAULT 0,
    ended_at         INTEGER
) WITHOUT ROWID;
CREATE INDEX timeouts_active_initiator ON timeouts(initiator) WHERE status IN ('running', 'returning');
CREATE INDEX timeouts_active_partner ON timeouts(partner) WHERE status IN ('running', 'returning');

-- What each person's time-out looked like, for patterns: vocabulary ids and scores only, never free text.
CREATE TABLE timeout_members (
    timeout_id     TEXT    NOT NULL REFERENCES timeouts(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role           TEXT    NOT NULL,
    outcome        TEXT,
    tension_start  INTEGER,
    tension_after  INTEGER,
    feeling        TEXT,
    under          TEXT,
    need           TEXT,
    recorded_at    INTEGER NOT NULL,
    PRIMARY KEY (timeout_id, user_id)
) WITHOUT ROWID;
CREATE INDEX timeout_members_user ON timeout_members(user_id);

-- Durable timers. A fired timer is deleted in the same transaction as the step it caused,
-- so every row here is pending and the index on due_at is the "next due" seek.
CREATE TABLE timers (
    id          TEXT    PRIMARY KEY,           -- "<timeout>:<kind>:<user>": starting again is an upsert
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    timeout_id  TEXT    NOT NULL,
    due_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX timers_due ON timers(due_at);
CREATE INDEX timers_user ON timers(user_id);

-- Messages to deliver (partner notices, pings). Deleted once delivered; retried with backoff.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    payload     TEXT    NOT NULL,              -- Msg + choices as JSON, rendered at delivery
    tag         TEXT    NOT NULL DEFAULT '',   -- the time-out it belongs to (for cancelling)
    due_at      INTEGER NOT NULL,
    expires_at  INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(due_at);
CREATE INDEX outbox_tag ON outbox(tag) WHERE tag <> '';
CREATE INDEX outbox_user ON outbox(user_id);
