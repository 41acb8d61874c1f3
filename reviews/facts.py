"""The facts the reviews app records (see `config.facts`). Each carries its event's id as
`data["event"]`, so the event's cached pages (its rating) follow."""

from config.facts import fact_type

REVIEW_CREATED = fact_type("review.created", action="review_created")
REVIEW_UPDATED = fact_type("review.updated", action="review_updated")
REVIEW_DELETED = fact_type("review.deleted", action="review_deleted")
REVIEW_VOTED = fact_type("review.voted", action="review_voted")
