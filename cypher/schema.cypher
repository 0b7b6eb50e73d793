// Uniqueness constraints (each also gives the index that MERGE looks up) and an
// index for the exit-date filter of cascade_risk. Safe to run any number of times.
// Every orgraph node carries the name of its org (`org`), so one database can hold
// several orgs and the same staff id in two of them; the keys are (org, id).
// (Range indexes on the HOLDS/SUPERVISED_BY dates slowed relationship loads by about a
// fifth; the queries here start from Staff and Position nodes instead.)
// Graph model 1 held one org per database, keyed on the id alone: its constraints go.
DROP CONSTRAINT orgraph_staff_id IF EXISTS;
DROP CONSTRAINT orgraph_position_id IF EXISTS;
DROP CONSTRAINT orgraph_program_id IF EXISTS;
DROP CONSTRAINT orgraph_meta_key IF EXISTS;
CREATE CONSTRAINT orgraph_staff_key IF NOT EXISTS FOR (s:Staff) REQUIRE (s.org, s.staff_id) IS UNIQUE;
CREATE CONSTRAINT orgraph_position_key IF NOT EXISTS FOR (p:Position) REQUIRE (p.org, p.position_id) IS UNIQUE;
CREATE CONSTRAINT orgraph_program_key IF NOT EXISTS FOR (p:Program) REQUIRE (p.org, p.program_id) IS UNIQUE;
CREATE CONSTRAINT orgraph_meta_org IF NOT EXISTS FOR (m:OrgraphMeta) REQUIRE m.org IS UNIQUE;
CREATE CONSTRAINT orgraph_lock_key IF NOT EXISTS FOR (l:OrgraphLock) REQUIRE l.key IS UNIQUE;
CREATE INDEX orgraph_staff_termination IF NOT EXISTS FOR (s:Staff) ON (s.termination_date);
