-- The ledger's schema in PostgreSQL: the SQLite schema after migration 0009, folded into one
-- (a PostgreSQL ledger has no earlier versions to upgrade), plus the accounts that SQLite keeps
-- in the `.users` file beside the ledger.
--
-- Types: every integer is BIGINT (the ledger reads integers as Int64), booleans are 0/1 integers
-- as in SQLite, bytes are BYTEA, text is TEXT. PostgreSQL types columns strictly, so the typeof()
-- checks SQLite needs are not needed here. Account names are unique without regard to case, as
-- SQLite's COLLATE NOCASE makes them, through a unique index on lower(name); the queries compare
-- lower() with lower() in both stores.
--
-- There is no person_keys table: PostgreSQL keeps a deleted row in its WAL, old pages and every
-- dump, so erasure could not destroy a key kept here. Each person's key is a file in a folder
-- beside the instance key instead (Sources/Ledger/PersonKeys.swift).
--
-- References are DEFERRABLE (checked at once unless a transaction defers them) so that `copy`
-- can write a SQLite ledger's rows table by table and have them checked at its commit.
--
-- Each statement ends with a semicolon at the end of a line: the store runs them one at a time.

CREATE TABLE instance (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    public_key  BYTEA  NOT NULL CHECK (octet_length(public_key) = 32),
    index_key   BYTEA  NOT NULL CHECK (octet_length(index_key) = 32),
    created_at  BIGINT NOT NULL
);

CREATE TABLE events (
    seq          BIGINT PRIMARY KEY,
    kind         TEXT   NOT NULL,
    person_id    TEXT,
    consent_ref  TEXT,
    asset        TEXT   CHECK (asset IS NULL OR length(asset) = 64),
    created_at   BIGINT NOT NULL,
    payload      BYTEA  NOT NULL,
    prev_hash    BYTEA  NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash         BYTEA  NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    signature    BYTEA  NOT NULL CHECK (octet_length(signature) = 64),
    mac          BYTEA  CHECK (mac IS NULL OR octet_length(mac) = 32)
);
CREATE INDEX events_by_person ON events(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX events_by_consent ON events(consent_ref) WHERE consent_ref IS NOT NULL;
CREATE INDEX events_by_asset ON events(asset) WHERE asset IS NOT NULL;

CREATE TABLE people (
    id              TEXT   PRIMARY KEY,
    sealed          BYTEA,
    service_user    BIGINT NOT NULL CHECK (service_user IN (0, 1)),
    elected_member  BIGINT NOT NULL CHECK (elected_member IN (0, 1)),
    staff           BIGINT NOT NULL CHECK (staff IN (0, 1)),
    added_seq       BIGINT NOT NULL REFERENCES events(seq) DEFERRABLE,
    added_at        BIGINT NOT NULL,
    erased_seq      BIGINT REFERENCES events(seq) DEFERRABLE,
    erased_at       BIGINT
);

CREATE TABLE consents (
    reference              TEXT   PRIMARY KEY,
    person_id              TEXT   NOT NULL REFERENCES people(id) DEFERRABLE,
    version                BIGINT NOT NULL CHECK (version >= 1),
    supersedes             TEXT   REFERENCES consents(reference) DEFERRABLE,
    superseded_by          TEXT,
    state                  TEXT   NOT NULL CHECK (state IN ('active', 'withdrawn', 'superseded', 'erased')),
    channels               TEXT   NOT NULL,
    purposes               TEXT   NOT NULL,
    event                  TEXT,
    form_version           TEXT   NOT NULL,
    method                 TEXT   NOT NULL CHECK (method IN ('tablet', 'tablet-offline', 'paper', 'qr', 'verbal', 'renewal-link')),
    recorded_by            TEXT   NOT NULL,
    given_at               TEXT   NOT NULL,
    expires_at             TEXT   NOT NULL,
    guardian_relationship  TEXT,
    signature_sha256       TEXT,
    sealed                 BYTEA,
    recorded_seq           BIGINT NOT NULL REFERENCES events(seq) DEFERRABLE,
    recorded_at            BIGINT NOT NULL,
    withdrawn_at           BIGINT,
    withdrawal_via         TEXT,
    withdrawn_by           TEXT,
    withdrawal_note        BYTEA,
    withdrawn_seq          BIGINT REFERENCES events(seq) DEFERRABLE,
    erased_at              BIGINT
);
CREATE INDEX consents_by_person ON consents(person_id);

CREATE TABLE assets (
    sha256                TEXT   PRIMARY KEY CHECK (length(sha256) = 64),
    kind                  TEXT   CHECK (kind IN ('image', 'video')),
    format                TEXT,
    readable              BIGINT NOT NULL CHECK (readable IN (0, 1)),
    error                 TEXT,
    captured_at           TEXT,
    width                 BIGINT,
    height                BIGINT,
    orientation           BIGINT,
    face_regions          BIGINT NOT NULL,
    release_status        TEXT,
    document_id           TEXT,
    original_document_id  TEXT,
    derived_from          TEXT,
    ingested_seq          BIGINT NOT NULL REFERENCES events(seq) DEFERRABLE,
    ingested_at           BIGINT NOT NULL
);
CREATE INDEX assets_by_document ON assets(document_id) WHERE document_id IS NOT NULL;
CREATE INDEX assets_by_ingest ON assets(ingested_at, sha256);

CREATE TABLE mentions (
    sha256       TEXT   NOT NULL REFERENCES assets(sha256) DEFERRABLE,
    ordinal      BIGINT NOT NULL,
    source       TEXT   NOT NULL,
    label        TEXT,
    name_digest  BYTEA,
    identifiers  TEXT   NOT NULL,
    region       TEXT,
    salt         BYTEA  CHECK (salt IS NULL OR octet_length(salt) = 16),
    PRIMARY KEY (sha256, ordinal)
);
CREATE INDEX mentions_by_digest ON mentions(name_digest) WHERE name_digest IS NOT NULL;

CREATE TABLE asset_paths (
    sha256    TEXT   NOT NULL REFERENCES assets(sha256) DEFERRABLE,
    path      TEXT   NOT NULL,
    seen_at   BIGINT NOT NULL,
    mac       BYTEA  NOT NULL CHECK (octet_length(mac) = 32),
    PRIMARY KEY (sha256, path)
);
CREATE INDEX asset_paths_by_path ON asset_paths(path);

CREATE TABLE reviews (
    id         BIGINT PRIMARY KEY REFERENCES events(seq) DEFERRABLE,
    sha256     TEXT   NOT NULL REFERENCES assets(sha256) DEFERRABLE,
    action     TEXT   NOT NULL CHECK (action IN ('person', 'not-person', 'no-people', 'service-users')),
    person_id  TEXT   REFERENCES people(id) DEFERRABLE,
    "by"       TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX reviews_by_asset ON reviews(sha256);
CREATE INDEX reviews_by_person ON reviews(person_id) WHERE person_id IS NOT NULL;

CREATE TABLE publications (
    id             BIGINT PRIMARY KEY REFERENCES events(seq) DEFERRABLE,
    sha256         TEXT   NOT NULL REFERENCES assets(sha256) DEFERRABLE,
    output_sha256  TEXT   NOT NULL,
    channel        TEXT   NOT NULL,
    path           TEXT   NOT NULL,
    post_url       TEXT,
    consents       TEXT   NOT NULL,
    "by"           TEXT   NOT NULL,
    at             BIGINT NOT NULL
);
CREATE INDEX publications_by_asset ON publications(sha256);

CREATE TABLE takedowns (
    id              BIGINT PRIMARY KEY,
    sha256          TEXT   NOT NULL,
    publication_id  BIGINT NOT NULL,
    person_id       TEXT   NOT NULL,
    cause           TEXT   NOT NULL CHECK (cause IN ('withdrawal', 'erasure')),
    consent_ref     TEXT,
    kind            TEXT   NOT NULL CHECK (kind IN ('takedown', 'do-not-reprint')),
    opened_at       BIGINT NOT NULL,
    due_on          TEXT,
    done_at         BIGINT,
    done_by         TEXT,
    done_note       TEXT,
    CHECK ((done_at IS NULL) = (done_by IS NULL)),
    CHECK (kind = 'takedown' OR done_at IS NULL)
);
CREATE INDEX takedowns_by_person ON takedowns(person_id);
CREATE INDEX takedowns_by_asset ON takedowns(sha256);

CREATE TABLE name_index (
    digest   BYTEA PRIMARY KEY CHECK (octet_length(digest) = 32),
    people   TEXT  NOT NULL,
    mac      BYTEA NOT NULL CHECK (octet_length(mac) = 32)
);

CREATE TABLE document_index (
    document_id  TEXT  PRIMARY KEY,
    assets       TEXT  NOT NULL,
    mac          BYTEA NOT NULL CHECK (octet_length(mac) = 32)
);

CREATE TABLE reserved_references (
    reference    TEXT   PRIMARY KEY,
    officer      TEXT   NOT NULL,
    device       TEXT   NOT NULL,
    reserved_at  BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    mac          BYTEA  NOT NULL,
    CHECK (expires_at > reserved_at)
);
CREATE INDEX reserved_references_by_holder ON reserved_references(officer, device, expires_at);

CREATE TABLE offline_captures (
    capture_id   TEXT   PRIMARY KEY,
    reference    TEXT   NOT NULL UNIQUE REFERENCES consents(reference) DEFERRABLE,
    person_id    TEXT   NOT NULL REFERENCES people(id) DEFERRABLE,
    officer      TEXT   NOT NULL,
    captured_at  BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    mac          BYTEA  NOT NULL
);

CREATE TABLE outbox (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    notice_key      TEXT   NOT NULL UNIQUE,
    kind            TEXT   NOT NULL CHECK (kind IN ('receipt', 'renewal', 'reconsent', 'digest')),
    person_id       TEXT   REFERENCES people(id) DEFERRABLE,
    consent_ref     TEXT,
    message         BYTEA  NOT NULL,
    queued_at       BIGINT NOT NULL,
    mac             BYTEA  NOT NULL,
    state           TEXT   NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'dropped')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claim_id        TEXT,
    claimed_at      BIGINT,
    sent_at         BIGINT,
    last_error      TEXT,
    CHECK ((state = 'sending') = (claim_id IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE notice_links (
    secret_sha256   TEXT   PRIMARY KEY,
    purpose         TEXT   NOT NULL CHECK (purpose IN ('withdraw', 'renew')),
    consent_ref     TEXT   NOT NULL REFERENCES consents(reference) DEFERRABLE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,
    used_at         BIGINT,
    mac             BYTEA  NOT NULL,
    CHECK (purpose = 'withdraw' OR expires_at IS NOT NULL)
);

CREATE TABLE verification_runs (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at              BIGINT NOT NULL,
    intact          BIGINT NOT NULL CHECK (intact IN (0, 1)),
    events          BIGINT NOT NULL,
    problem         TEXT,
    mac             BYTEA  NOT NULL
);

CREATE TABLE face_detections (
    id               BIGINT PRIMARY KEY REFERENCES events(seq) DEFERRABLE,
    sha256           TEXT   NOT NULL REFERENCES assets(sha256) DEFERRABLE,
    detector         TEXT   NOT NULL,
    faces            TEXT,
    failure          TEXT,
    frames_examined  BIGINT,
    limitation       TEXT,
    at               BIGINT NOT NULL,
    CHECK ((faces IS NULL) = (failure IS NOT NULL))
);
CREATE INDEX face_detections_by_asset ON face_detections(sha256);

CREATE TABLE face_decisions (
    id            BIGINT PRIMARY KEY REFERENCES events(seq) DEFERRABLE,
    sha256        TEXT   NOT NULL REFERENCES assets(sha256) DEFERRABLE,
    detection_id  BIGINT NOT NULL REFERENCES face_detections(id) DEFERRABLE,
    face          BIGINT NOT NULL CHECK (face >= 1),
    decision      TEXT   NOT NULL CHECK (decision IN ('person', 'not-identifiable', 'not-a-face', 'not-registered')),
    person_id     TEXT   REFERENCES people(id) DEFERRABLE,
    "by"          TEXT   NOT NULL,
    at            BIGINT NOT NULL,
    CHECK ((decision = 'person') = (person_id IS NOT NULL))
);
CREATE INDEX face_decisions_by_asset ON face_decisions(sha256);
CREATE INDEX face_decisions_by_person ON face_decisions(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX face_decisions_not_registered ON face_decisions(sha256) WHERE decision = 'not-registered';

-- Accounts, tokens, sessions and self-service forms: the `.users` file of a SQLite ledger.

CREATE TABLE users (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name           TEXT   NOT NULL,
    role           TEXT   NOT NULL CHECK (role IN ('officer', 'editor', 'dpo', 'admin')),
    password_hash  TEXT,
    created_at     BIGINT NOT NULL,
    disabled_at    BIGINT
);
CREATE UNIQUE INDEX users_name ON users (lower(name));

CREATE TABLE api_tokens (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    token_sha256  TEXT   NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE,
    label         TEXT,
    created_at    BIGINT NOT NULL,
    created_by    TEXT   NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE sessions (
    id_sha256   TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE,
    csrf_token  TEXT   NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE withdrawal_links (
    secret_sha256      TEXT   PRIMARY KEY,
    consent_reference  TEXT   NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE TABLE account_events (
    id       BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT   NOT NULL,
    kind     TEXT   NOT NULL,
    account  TEXT   NOT NULL,
    detail   TEXT
);

CREATE TABLE event_links (
    id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    secret      TEXT   NOT NULL UNIQUE,
    event       TEXT   NOT NULL,
    created_by  TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);

CREATE TABLE pending_consents (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    event_link_id  BIGINT NOT NULL REFERENCES event_links(id) ON DELETE CASCADE DEFERRABLE,
    form           TEXT   NOT NULL,
    submitted_at   BIGINT NOT NULL
);
CREATE INDEX pending_consents_link ON pending_consents(event_link_id);
