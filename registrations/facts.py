"""The facts registrations record (see `config.facts`). Each carries its event's id as
`data["event"]`, so the catalogue's cached pages of that event follow."""

from config.facts import fact_type

REGISTRATION_CREATED = fact_type("registration.created", action="registration_created")
REGISTRATION_CONFIRMED = fact_type("registration.confirmed", action="registration_confirmed")
REGISTRATION_APPROVED = fact_type("registration.approved", action="registration_approved")
REGISTRATION_REJECTED = fact_type("registration.rejected", action="registration_rejected")
REGISTRATION_CANCELLED = fact_type("registration.cancelled", action="registration_cancelled")
REGISTRATION_EXPIRED = fact_type("registration.expired", action="registration_expired")
WAITLIST_JOINED = fact_type("waitlist.joined", action="waitlist_joined")
WAITLIST_LEFT = fact_type("waitlist.left", action="waitlist_left")
WAITLIST_PROMOTED = fact_type("waitlist.promoted", action="waitlist_promoted")
CHECKIN_CREATED = fact_type("checkin.created", action="check_in")
PROGRESS_UPDATED = fact_type("progress.updated", action="progress_updated")
PROMO_CODE_CREATED = fact_type("promo_code.created", action="promo_code_created")
PROMO_CODE_UPDATED = fact_type("promo_code.updated", action="promo_code_updated")
PROMO_CODE_DELETED = fact_type("promo_code.deleted", action="promo_code_deleted")

# The facts after which an event's seat counts or waitlist read differently.
CHANGING_SEATS = (
    REGISTRATION_CREATED,
    REGISTRATION_CONFIRMED,
    REGISTRATION_APPROVED,
    REGISTRATION_REJECTED,
    REGISTRATION_CANCELLED,
    REGISTRATION_EXPIRED,
    WAITLIST_JOINED,
    WAITLIST_LEFT,
    WAITLIST_PROMOTED,
)
