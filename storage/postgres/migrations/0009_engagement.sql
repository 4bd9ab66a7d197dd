-- What package engagement owns: learners' activity per day and their
-- ladder states.

-- A learner's actions in a course on one UTC day (days from the Unix
-- epoch); writes add to count. The primary key serves one learner's
-- window; activity_days_course serves a course's window (a range of days
-- of every learner) without walking each learner's older history.
CREATE TABLE activity_days (
    course_id bigint NOT NULL,
    user_id   bigint NOT NULL,
    day       bigint NOT NULL,
    count     bigint NOT NULL,
    PRIMARY KEY (course_id, user_id, day)
);
CREATE INDEX activity_days_course ON activity_days (course_id, day, user_id) INCLUDE (count);

-- A learner's ladder state, kept as the bytes the package encodes (its
-- JSON exactly as written, which jsonb would reformat), listed by course
-- in user order.
CREATE TABLE engagement_states (
    course_id bigint NOT NULL,
    user_id   bigint NOT NULL,
    state     bytea  NOT NULL,
    PRIMARY KEY (course_id, user_id)
);
