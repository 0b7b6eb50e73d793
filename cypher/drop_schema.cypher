// Removes what schema.cypher creates (used by `orgraph db wipe --schema` and the tests).
DROP CONSTRAINT orgraph_staff_id IF EXISTS;
DROP CONSTRAINT orgraph_position_id IF EXISTS;
DROP CONSTRAINT orgraph_program_id IF EXISTS;
DROP CONSTRAINT orgraph_meta_key IF EXISTS;
DROP INDEX orgraph_staff_termination IF EXISTS;
