-- 0002: pairing (invite codes, failed joins) and the couple's versioned time-out contract.
-- Times are INTEGER unix seconds (UTC). An invite code is never stored: only sha256 hex of its canonical form.

CREATE TABLE invites (
    code_hash   TEXT    PRIMARY KEY,           -- sha256 hex of the canonical code
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- who invites
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER                        -- set when someone joined with it (single use)
) WITHOUT ROWID;
CREATE INDEX invites_user ON invites(user_id);

-- Failed /join attempts, for the per-person rate limit. Nothing about the code typed is kept.
CREATE TABLE join_failures (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at       INTEGER NOT NULL
);
CREATE INDEX join_failures_user ON join_failures(user_id, at);

-- Every version of a couple's contract. At most one 'active' and one 'proposed' per couple (the two
-- partial unique indexes), which are also the lookups of the active version and the open proposal.
CREATE TABLE contracts (
    couple_id    INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    status       TEXT    NOT NULL CHECK (status IN ('proposed', 'active', 'superseded', 'rejected', 'withdrawn')),
    proposed_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    data         TEXT    NOT NULL,             -- the core Contract as JSON (codec.dump_contract)
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    PRIMARY KEY (couple_id, version)
) WITHOUT ROWID;
CREATE UNIQUE INDEX contracts_active ON contracts(couple_id) WHERE status = 'active';
CREATE UNIQUE INDEX contracts_proposed ON contracts(couple_id) WHERE status = 'proposed';
CREATE INDEX contracts_proposed_by ON contracts(proposed_by);  -- child key: deleting a user seeks, not scans

-- A person is in at most one couple. couples_a / couples_b make each column unique on its own; this
-- closes the gap of being `a` in one couple and `b` in another. A broken invariant: the core checks first.
CREATE TRIGGER couples_one_per_person BEFORE INSERT ON couples
WHEN EXISTS (SELECT 1 FROM couples WHERE a IN (NEW.a, NEW.b))
  OR EXISTS (SELECT 1 FROM couples WHERE b IN (NEW.a, NEW.b))
BEGIN
    SELECT RAISE(ABORT, 'a person is in at most one couple');
END;

-- /patterns reads a person's time-outs of the last 90 days, started by them or by their partner.
CREATE INDEX timeouts_initiator_started ON timeouts(initiator, started_at);
CREATE INDEX timeouts_partner_started ON timeouts(partner, started_at);
