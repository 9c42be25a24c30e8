-- Version 5: monthly summaries beside the daily ones, kept in the same
-- statement as a payment's state, so that a report over a long period
-- reads a month's rows for each whole month and a day's rows only for the
-- days of the months it takes in part.
CREATE TABLE summaries_month (
    point      text NOT NULL REFERENCES points (id),
    month      date NOT NULL, -- the month's first day
    provider   text NOT NULL,
    cashier    text NOT NULL,
    count      bigint NOT NULL,
    amount     bigint NOT NULL,
    fee        bigint NOT NULL,
    commission bigint NOT NULL,
    PRIMARY KEY (point, month, provider, cashier)
);
CREATE INDEX summaries_month_month ON summaries_month (month, point);
INSERT INTO summaries_month (point, month, provider, cashier, count, amount, fee, commission)
SELECT point, date_trunc('month', day)::date, provider, cashier, sum(count), sum(amount), sum(fee), sum(commission)
FROM summaries GROUP BY 1, 2, 3, 4;
