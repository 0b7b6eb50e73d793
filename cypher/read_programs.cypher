// Every program, in the order the last loaded export listed them.
MATCH (p:Program)
RETURN p.program_id AS program_id, p.name AS name, p.service_line AS service_line
ORDER BY p.ord, p.program_id
