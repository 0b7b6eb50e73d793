// Removes what schema.cypher creates (used by `orgraph db wipe --schema` and the tests),
// and the constraints of graph model 1.
DROP CONSTRAINT orgraph_staff_key IF EXISTS;
DROP CONSTRAINT orgraph_position_key IF EXISTS;
DROP CONSTRAINT orgraph_program_key IF EXISTS;
DROP CONSTRAINT orgraph_meta_org IF EXISTS;
DROP CONSTRAINT orgraph_lock_key IF EXISTS;
DROP CONSTRAINT orgraph_staff_id IF EXISTS;
DROP CONSTRAINT orgraph_position_id IF EXISTS;
DROP CONSTRAINT orgraph_program_id IF EXISTS;
DROP CONSTRAINT orgraph_meta_key IF EXISTS;
DROP INDEX orgraph_staff_termination IF EXISTS;
