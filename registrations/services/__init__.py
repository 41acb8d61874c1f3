"""Every change to registrations, one module per capability: `booking` (booking, approval,
cancellation, hold expiry), `waitlist`, `checkin`, `progress`, `event_changes` (what an event
being shrunk, grown, cancelled or deleted means for the places at it), and `seats`, the steps
they share. Callers import the module they need: `from registrations.services import booking`."""
