-- Runs once, when the postgres volume is first initialised. The metadata service owns the `metadata`
-- database (POSTGRES_DB); the BFF keeps its accounts in a database of its own.
CREATE DATABASE accounts OWNER photos;
