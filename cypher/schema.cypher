// Uniqueness constraints (each also gives the index that MERGE looks up) and
// indexes for the date filters the queries use. Safe to run any number of times.
CREATE CONSTRAINT orgraph_staff_id IF NOT EXISTS FOR (s:Staff) REQUIRE s.staff_id IS UNIQUE;
CREATE CONSTRAINT orgraph_position_id IF NOT EXISTS FOR (p:Position) REQUIRE p.position_id IS UNIQUE;
CREATE CONSTRAINT orgraph_program_id IF NOT EXISTS FOR (p:Program) REQUIRE p.program_id IS UNIQUE;
CREATE CONSTRAINT orgraph_meta_key IF NOT EXISTS FOR (m:OrgraphMeta) REQUIRE m.key IS UNIQUE;
CREATE INDEX orgraph_staff_termination IF NOT EXISTS FOR (s:Staff) ON (s.termination_date);
CREATE INDEX orgraph_holds_interval IF NOT EXISTS FOR ()-[r:HOLDS]-() ON (r.from, r.to);
CREATE INDEX orgraph_supervised_by_interval IF NOT EXISTS FOR ()-[r:SUPERVISED_BY]-() ON (r.from, r.to);
