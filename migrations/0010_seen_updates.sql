-- 0010: platform updates already handled. Telegram hands an update to a webhook again when it got no answer in
-- time (a slow or killed worker), possibly to another worker behind the proxy, and a new polling leader may
-- fetch again what a killed one had handled: the event's own transaction records the update's key here, and a
-- second arrival of that key changes nothing. Rows are kept for two days of wall-clock time (Telegram keeps an
-- unanswered update for 24 hours), then removed by the janitor.

CREATE TABLE seen_updates (
    key      TEXT    PRIMARY KEY,           -- "telegram:<bot id>:<update id>"
    seen_at  INTEGER NOT NULL               -- wall clock (unix seconds), not the app's clock
) WITHOUT ROWID;
CREATE INDEX seen_updates_at ON seen_updates(seen_at);
