-- The partners' page's sign-ins: a session is a random token in a cookie,
-- kept here as its SHA-256 so that every hub instance knows it.
CREATE TABLE web_sessions (
    token_hash bytea PRIMARY KEY,
    login      text NOT NULL REFERENCES users (login) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
