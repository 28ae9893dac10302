// Comments replying, directly or through one other comment, to one person's
// posts: variable length over REPLY_OF from comments to a post.
MATCH (p:Person {id: 933})<-[:HAS_CREATOR]-(post:Post)<-[:REPLY_OF*1..2]-(c:Comment)
RETURN count(*) AS replies, count(DISTINCT c) AS comments, count(DISTINCT post) AS posts
