CREATE INDEX FOR (p:Person) ON (p.email)
----
CREATE INDEX person_email IF NOT EXISTS FOR (p:Person) ON (p.email)
----
CREATE INDEX ON :Person(email)
----
DROP INDEX person_email IF EXISTS
----
CREATE CONSTRAINT FOR (p:Person) REQUIRE p.email IS UNIQUE
----
CREATE CONSTRAINT uniq_email IF NOT EXISTS FOR (p:Person) REQUIRE p.email IS UNIQUE
----
CREATE CONSTRAINT ON (p:Person) ASSERT p.email IS UNIQUE
----
DROP CONSTRAINT uniq_email
----
SHOW INDEXES
----
SHOW CONSTRAINTS
----
CREATE INDEX FOR (p:Person) ON (q.email)
----
CREATE CONSTRAINT FOR (p:Person) REQUIRE p.email
