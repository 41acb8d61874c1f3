"""The facts the notifications app records (see `config.facts`): changes to outbound webhooks.
The action is what the activity log shows."""

from config.facts import fact_type

WEBHOOK_CREATED = fact_type("webhook.created", action="webhook_created")
WEBHOOK_UPDATED = fact_type("webhook.updated", action="webhook_updated")
WEBHOOK_DELETED = fact_type("webhook.deleted", action="webhook_deleted")
WEBHOOK_SECRET_ROTATED = fact_type("webhook.secret_rotated", action="webhook_secret_rotated")
WEBHOOK_DISABLED = fact_type("webhook.disabled", action="webhook_disabled")
