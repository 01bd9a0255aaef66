-- Faces in the pixels (issue 13): each run of the face detector over an asset and each
-- reviewer's decision about one face, derived from their signed events like `reviews`
-- (`asset.faces-detected`, `face.decided`), keyed by the event's sequence number.

-- One row per `asset.faces-detected` event. A newer detector adds a row; none is replaced.
CREATE TABLE face_detections (
    id               INTEGER PRIMARY KEY REFERENCES events(seq),
    sha256           TEXT    NOT NULL REFERENCES assets(sha256),
    detector         TEXT    NOT NULL,                 -- name and version, e.g. yunet-2023mar/1
    faces            TEXT,                             -- JSON array of {x, y, w, h, score, t?}; NULL when it could not look
    failure          TEXT,                             -- why it could not look
    frames_examined  INTEGER,                          -- video
    limitation       TEXT,                             -- video: frames left out
    at               INTEGER NOT NULL,
    CHECK ((faces IS NULL) = (failure IS NOT NULL))
);
CREATE INDEX face_detections_by_asset ON face_detections(sha256);

-- One row per `face.decided` event: face `face` (from 1) of detection `detection_id`.
-- A later row about the same face supersedes an earlier one; none is overwritten.
CREATE TABLE face_decisions (
    id            INTEGER PRIMARY KEY REFERENCES events(seq),
    sha256        TEXT    NOT NULL REFERENCES assets(sha256),
    detection_id  INTEGER NOT NULL REFERENCES face_detections(id),
    face          INTEGER NOT NULL CHECK (face >= 1),
    decision      TEXT    NOT NULL CHECK (decision IN ('person', 'not-identifiable', 'not-a-face')),
    person_id     TEXT    REFERENCES people(id),
    by            TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    CHECK ((decision = 'person') = (person_id IS NOT NULL))
);
CREATE INDEX face_decisions_by_asset ON face_decisions(sha256);
CREATE INDEX face_decisions_by_person ON face_decisions(person_id) WHERE person_id IS NOT NULL;
