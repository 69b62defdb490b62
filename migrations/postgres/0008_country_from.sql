-- 0008 (PostgreSQL; mirrors migrations/0008_country_from.sql): where a person's country came from.

ALTER TABLE users ADD COLUMN country_from TEXT NOT NULL DEFAULT 'assumed'
    CHECK (country_from IN ('person', 'platform', 'assumed', 'asked'));
