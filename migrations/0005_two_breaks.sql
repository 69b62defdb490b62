-- 0005: two people in one time-out. Each break belongs to the one who took it: the partner's own break
-- beside the initiator's (partner_started, partner_until, partner_extensions); who gave a safety signal in it
-- (hushed: comma-separated user ids; never shown to the other); and the latest moment it can be open
-- (open_until: the couple's return plus one re-ping and the close), so no lookup ever finds one past its end.

ALTER TABLE timeouts ADD COLUMN partner_started INTEGER;
ALTER TABLE timeouts ADD COLUMN partner_until INTEGER;
ALTER TABLE timeouts ADD COLUMN partner_extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timeouts ADD COLUMN hushed TEXT NOT NULL DEFAULT '';
ALTER TABLE timeouts ADD COLUMN open_until INTEGER;
UPDATE timeouts SET open_until = return_at + 1800;
