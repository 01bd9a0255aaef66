-- Notices by email (issue 18). Not part of the signed chain: like takedowns, these rows are the
-- organisation's to-do list and its evidence of what was sent.
--
-- One row per notice. `notice_key` names what it is about (`receipt:C-…`, `renewal:C-…`,
-- `reconsent:P-…:YYYY-MM-DD`, `digest:YYYY-MM-DD`), so a daily pass run twice queues nothing twice.
-- The message (recipient, subject, text and HTML) is sealed with the person's own key like the
-- rest of their personal data: erasure destroys the key, the notice no longer opens and is
-- dropped. The DPO's digest names no one (references and ids only) and is kept as plain JSON.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    notice_key      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('receipt', 'renewal', 'reconsent', 'digest')),
    person_id       TEXT    REFERENCES people(id),      -- whose key seals `message`; NULL: not sealed
    consent_ref     TEXT,
    message         BLOB    NOT NULL,
    queued_at       INTEGER NOT NULL,                   -- ms since 1970 UTC
    -- queued: waiting (for `next_attempt_at`); sending: claimed by one sender (`claim_id`);
    -- sent: the server accepted it; dropped: can no longer be sent (erased person, refused for good).
    state           TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claim_id        TEXT,
    claimed_at      INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    CHECK ((state = 'sending') = (claim_id IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

-- Links in notices that act without an account: a withdrawal link in a receipt, a renewal
-- link in a reminder. Only the SHA-256 of the secret is kept; a renewal link works once and
-- until `expires_at`.
CREATE TABLE notice_links (
    secret_sha256   TEXT    PRIMARY KEY,
    purpose         TEXT    NOT NULL CHECK (purpose IN ('withdraw', 'renew')),
    consent_ref     TEXT    NOT NULL REFERENCES consents(reference),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    used_at         INTEGER,
    CHECK (purpose = 'withdraw' OR expires_at IS NOT NULL)
);

-- Results of `verify` run by the notice pass, for the digest and GET /metrics.
CREATE TABLE verification_runs (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    intact          INTEGER NOT NULL CHECK (intact IN (0, 1)),
    events          INTEGER NOT NULL,
    problem         TEXT
);
