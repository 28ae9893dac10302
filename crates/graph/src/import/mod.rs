//! Bulk import of CSV files in the neo4j-admin import convention.
