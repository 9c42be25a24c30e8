-- Version 8: a lockout is the time it has left, counted on the running
-- till's monotonic clock, so that setting the wall clock forward does not
-- end it. Locks of older books keep their full time.
ALTER TABLE cashiers ADD COLUMN lock_left INTEGER NOT NULL DEFAULT 0;
UPDATE cashiers SET lock_left = 900000 WHERE locked_until > 0;
