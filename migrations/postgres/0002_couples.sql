-- 0002 (PostgreSQL; mirrors migrations/0002_couples.sql): pairing and the couple's versioned contract.

CREATE TABLE invites (
    code_hash   TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX invites_user ON invites(user_id);

CREATE TABLE join_failures (
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at       BIGINT NOT NULL
);
CREATE INDEX join_failures_user ON join_failures(user_id, at);

CREATE TABLE contracts (
    couple_id    BIGINT  NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    status       TEXT    NOT NULL CHECK (status IN ('proposed', 'active', 'superseded', 'rejected', 'withdrawn')),
    proposed_by  BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    data         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    decided_at   BIGINT,
    PRIMARY KEY (couple_id, version)
);
CREATE UNIQUE INDEX contracts_active ON contracts(couple_id) WHERE status = 'active';
CREATE UNIQUE INDEX contracts_proposed ON contracts(couple_id) WHERE status = 'proposed';
CREATE INDEX contracts_proposed_by ON contracts(proposed_by);

-- A person is in at most one couple (being `a` in one and `b` in another too).
CREATE FUNCTION couples_one_per_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM couples WHERE a IN (NEW.a, NEW.b))
       OR EXISTS (SELECT 1 FROM couples WHERE b IN (NEW.a, NEW.b)) THEN
        RAISE EXCEPTION 'a person is in at most one couple' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER couples_one_per_person BEFORE INSERT ON couples
FOR EACH ROW EXECUTE FUNCTION couples_one_per_person();

CREATE INDEX timeouts_initiator_started ON timeouts(initiator, started_at);
CREATE INDEX timeouts_partner_started ON timeouts(partner, started_at);
