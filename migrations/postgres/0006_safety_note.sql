-- 0006 (PostgreSQL; mirrors migrations/0006_safety_note.sql): a person's own safety note and plan.

ALTER TABLE users ADD COLUMN safety_note INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN safety_plan TEXT NOT NULL DEFAULT '';
