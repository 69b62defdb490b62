-- 0009 (PostgreSQL; mirrors migrations/0009_locale_chosen.sql): whether a person chose their language.

ALTER TABLE users ADD COLUMN locale_chosen INTEGER NOT NULL DEFAULT 0;
