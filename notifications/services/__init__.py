"""The notifications app's services, one module per capability: `inbox` (notifications made,
read, deleted), `mail` (their e-mails), `reminders`, `producers` (what each fact tells whom),
`webhooks` (outbound webhooks and what each fact delivers), `delivery` (sending, signing,
retries) and `addresses` (where a webhook may go)."""
