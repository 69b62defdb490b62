-- 0008: whether a person chose their language with /language. Until they do, it follows what their platform
-- says with each message (a first plain Discord DM says nothing; their next interaction does).

ALTER TABLE users ADD COLUMN locale_chosen INTEGER NOT NULL DEFAULT 0;
