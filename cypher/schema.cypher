// Uniqueness constraints (each also gives the index that MERGE looks up) and an
// index for the exit-date filter of cascade_risk. Safe to run any number of times.
// (Range indexes on the HOLDS/SUPERVISED_BY dates slowed relationship loads by about a
// fifth; the queries here start from Staff and Position nodes instead.)
CREATE CONSTRAINT orgraph_staff_id IF NOT EXISTS FOR (s:Staff) REQUIRE s.staff_id IS UNIQUE;
CREATE CONSTRAINT orgraph_position_id IF NOT EXISTS FOR (p:Position) REQUIRE p.position_id IS UNIQUE;
CREATE CONSTRAINT orgraph_program_id IF NOT EXISTS FOR (p:Program) REQUIRE p.program_id IS UNIQUE;
CREATE CONSTRAINT orgraph_meta_key IF NOT EXISTS FOR (m:OrgraphMeta) REQUIRE m.key IS UNIQUE;
CREATE INDEX orgraph_staff_termination IF NOT EXISTS FOR (s:Staff) ON (s.termination_date);
