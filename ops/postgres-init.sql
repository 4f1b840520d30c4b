-- The schema registry keeps its schemas in PostgreSQL (same as scripts/stack).
create database schema_registry owner vss;
