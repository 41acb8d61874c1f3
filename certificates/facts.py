"""The facts the certificates app records (see `config.facts`). `certificate.issued` carries
what the notification says (`user`, `event`, `event_title`, `number`)."""

from config.facts import fact_type

CERTIFICATE_ISSUED = fact_type("certificate.issued", action="certificate_issued")
CERTIFICATE_DOWNLOADED = fact_type("certificate.downloaded", action="certificate_downloaded")
