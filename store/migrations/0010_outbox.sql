-- Version 10: the outbox a hub reads (issue 17): each payment's final
-- state, each closed shift and each finished cash operation, written in the
-- same transaction as the change, numbered 1, 2, ... without gaps; meta's
-- 'outbox.sent' row is the last number the hub has applied.
CREATE TABLE outbox (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    at   INTEGER NOT NULL,
    body TEXT NOT NULL
);
