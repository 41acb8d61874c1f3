"""The facts the catalogue records (see `config.facts`). Each one about an event carries its id
as `data["event"]`."""

from config.facts import fact_type

EVENT_CREATED = fact_type("event.created", action="event_created")
EVENT_UPDATED = fact_type("event.updated", action="event_updated")
EVENT_PUBLISHED = fact_type("event.published", action="event_published")
EVENT_CANCELLED = fact_type("event.cancelled", action="event_cancelled")
EVENT_DELETED = fact_type("event.deleted", action="event_deleted")
SESSION_SAVED = fact_type("session.saved", action="session_saved")
SESSION_DELETED = fact_type("session.deleted", action="session_deleted")
TICKET_TYPE_SAVED = fact_type("ticket_type.saved", action="ticket_type_saved")
TICKET_TYPE_DELETED = fact_type("ticket_type.deleted", action="ticket_type_deleted")
CATEGORY_SAVED = fact_type("category.saved", action="category_saved")
CATEGORY_DELETED = fact_type("category.deleted", action="category_deleted")
TAG_SAVED = fact_type("tag.saved", action="tag_saved")
TAG_DELETED = fact_type("tag.deleted", action="tag_deleted")
