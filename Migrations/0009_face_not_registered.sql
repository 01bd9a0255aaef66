-- A fourth face decision (issue 14): `not-registered`, someone identifiable whom nobody has
-- registered yet (the face stays blocked and is on the people-to-find list). SQLite cannot
-- change a CHECK constraint, so `face_decisions` is rebuilt with the wider one; its rows are
-- derived from signed `face.decided` events and copied unchanged.

CREATE TABLE face_decisions_rebuilt (
    id            INTEGER PRIMARY KEY REFERENCES events(seq),
    sha256        TEXT    NOT NULL REFERENCES assets(sha256),
    detection_id  INTEGER NOT NULL REFERENCES face_detections(id),
    face          INTEGER NOT NULL CHECK (face >= 1),
    decision      TEXT    NOT NULL CHECK (decision IN ('person', 'not-identifiable', 'not-a-face', 'not-registered')),
    person_id     TEXT    REFERENCES people(id),
    by            TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    CHECK ((decision = 'person') = (person_id IS NOT NULL))
);
INSERT INTO face_decisions_rebuilt (id, sha256, detection_id, face, decision, person_id, by, at)
    SELECT id, sha256, detection_id, face, decision, person_id, by, at FROM face_decisions;
DROP TABLE face_decisions;
ALTER TABLE face_decisions_rebuilt RENAME TO face_decisions;
CREATE INDEX face_decisions_by_asset ON face_decisions(sha256);
CREATE INDEX face_decisions_by_person ON face_decisions(person_id) WHERE person_id IS NOT NULL;
-- The people-to-find list reads the assets with such a decision.
CREATE INDEX face_decisions_not_registered ON face_decisions(sha256) WHERE decision = 'not-registered';
