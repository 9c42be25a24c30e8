-- The keyed seal (seal.go): every row of the books carries the HMAC of its
-- content under a key derived from the point's secret key; meta's 'seal'
-- row holds the head over all of them.
ALTER TABLE cashiers ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE shifts ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE payments ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE cash_ops ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE answers ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE paid_summary ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE meta ADD COLUMN seal TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN seal TEXT NOT NULL DEFAULT '';
