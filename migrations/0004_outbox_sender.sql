-- 0004: who a queued message is from, so that erasing a person (/forget) or ending a pairing also takes back
-- what they sent that was not delivered yet. NULL: the bot's own (pings, and the neutral "pairing ended").

ALTER TABLE outbox ADD COLUMN sender INTEGER REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX outbox_sender ON outbox(sender) WHERE sender IS NOT NULL;
