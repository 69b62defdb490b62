-- 0006: safety that remembers, privately. A person's own safety note (a yes to the calm-time question at
-- pairing, kept with their consent: the bot then asks "are you safe?" sooner and drops the "your part" step)
-- and their own safety plan (warning signs, a safe place, people to call). Both only ever shown to that person;
-- erased with the row by /forget.

ALTER TABLE users ADD COLUMN safety_note INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN safety_plan TEXT NOT NULL DEFAULT '';
