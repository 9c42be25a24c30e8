-- What the desks report: the latest state of each payment, closed shifts,
-- cash operations, each point's latest health, and the daily summaries the
-- reports read (paid payments only, kept in the ingest's transaction).
CREATE TABLE payments (
    point       text NOT NULL REFERENCES points (id),
    session     text NOT NULL,
    provider    text NOT NULL,
    number      text NOT NULL, -- masked
    amount      bigint NOT NULL,
    fee         bigint NOT NULL,
    commission  bigint NOT NULL,
    cashier     text NOT NULL,
    shift       bigint NOT NULL,
    state       text NOT NULL,
    closed      text NOT NULL,
    accepted_at timestamptz NOT NULL,
    final_at    timestamptz NOT NULL,
    day         date NOT NULL, -- accepted_at's day at the point
    seq         bigint NOT NULL,
    PRIMARY KEY (point, session)
);

CREATE TABLE shifts (
    point         text NOT NULL REFERENCES points (id),
    id            bigint NOT NULL,
    device        int NOT NULL,
    opened_at     timestamptz NOT NULL,
    closed_at     timestamptz NOT NULL,
    opened_by     text NOT NULL,
    closed_by     text NOT NULL,
    payments      int NOT NULL,
    amount        bigint NOT NULL,
    fee           bigint NOT NULL,
    commission    bigint NOT NULL,
    refunded      bigint NOT NULL,
    cash_in       bigint NOT NULL,
    cash_out      bigint NOT NULL,
    opening_float bigint NOT NULL,
    expected      bigint NOT NULL,
    counted       bigint NOT NULL,
    seq           bigint NOT NULL,
    PRIMARY KEY (point, id)
);

CREATE TABLE cash_ops (
    point   text NOT NULL REFERENCES points (id),
    seq     bigint NOT NULL,
    at      timestamptz NOT NULL,
    op      text NOT NULL CHECK (op IN ('in', 'out')),
    amount  bigint NOT NULL,
    cashier text NOT NULL,
    shift   bigint NOT NULL,
    PRIMARY KEY (point, seq)
);

CREATE TABLE health (
    point       text PRIMARY KEY REFERENCES points (id),
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL,
    last_sync   timestamptz,
    shift_open  boolean NOT NULL,
    register    text NOT NULL,
    drive       text NOT NULL,
    warnings    text[] NOT NULL,
    pending     int NOT NULL,
    disputed    int NOT NULL,
    refunds_due int NOT NULL,
    balance     bigint NOT NULL,
    version     text NOT NULL
);

CREATE TABLE summaries (
    point      text NOT NULL REFERENCES points (id),
    day        date NOT NULL,
    provider   text NOT NULL,
    cashier    text NOT NULL,
    count      bigint NOT NULL,
    amount     bigint NOT NULL, -- turnover: credited to payers
    fee        bigint NOT NULL,
    commission bigint NOT NULL,
    PRIMARY KEY (point, day, provider, cashier)
);
CREATE INDEX summaries_day ON summaries (day, point);
