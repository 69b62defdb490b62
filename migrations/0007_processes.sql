-- 0007: several processes on one file. Who has it open (a row kept alive by a lease), who is delivering
-- which outbox row (a claim, held as long as its process's lease), and the consoles' shared clock.
-- Leases are WALL-CLOCK unix seconds (real time, the same for every process on the machine), never the
-- app's clock: a console's clock only moves on `!wait`, and TIME_SCALE speeds a bot's clock up.

CREATE TABLE processes (
    id           TEXT    PRIMARY KEY,       -- random per start; a console's people have it as their chat_id
    kind         TEXT    NOT NULL,          -- console | bot
    serves       TEXT    NOT NULL,          -- the platforms it delivers to (and fires timers for), comma-separated
    schema       INTEGER NOT NULL,          -- the newest migration its code knows
    pid          INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,          -- wall clock
    lease_until  INTEGER NOT NULL           -- wall clock; renewed while it lives. Past: it is gone
) WITHOUT ROWID;

-- The process delivering this row now. Its claim holds while that process's lease does; a claim of a process
-- with no live row (killed, lease run out) is anyone's. NULL: nobody is delivering it.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
CREATE INDEX outbox_claimed ON outbox(claimed_by) WHERE claimed_by IS NOT NULL;

-- One clock for every console on this file (unix seconds of console time): `!wait` in one terminal moves it
-- for all of them, so a notice written in one is due in the other.
CREATE TABLE console_clock (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    now  INTEGER NOT NULL
);
