-- 0008: where a person's country came from, so the bot asks once where someone is when it only knew a language.
-- person: chosen with /country; platform: a region in the platform locale (Discord en-US); assumed: the
-- deployment's DEFAULT_COUNTRY, not asked yet; asked: assumed, and asked once at the first safety screen.
-- Rows from before this migration are 'assumed': nobody can tell any more whether they chose it, so each is
-- asked once, privately, the next time the safety screen is shown.

ALTER TABLE users ADD COLUMN country_from TEXT NOT NULL DEFAULT 'assumed'
    CHECK (country_from IN ('person', 'platform', 'assumed', 'asked'));
