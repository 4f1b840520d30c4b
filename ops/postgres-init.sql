-- The schema registry keeps its schemas in PostgreSQL (same as scripts/stack).
create database schema_registry owner vss;
-- The replication role of the HGD change feed (docs/cdc.md): LOGIN and REPLICATION only; `vss-bridge cdc setup`
-- grants it what Debezium reads.
create role vss_cdc login replication password 'vss_cdc';
