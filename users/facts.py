"""The facts the accounts app records (see `config.facts`). The action is what the activity
log shows."""

from config.facts import fact_type

USER_REGISTERED = fact_type("user.registered", action="register")
USER_ACTIVATED = fact_type("user.activated", action="account_activated")
PROFILE_UPDATED = fact_type("user.profile_updated", action="profile_updated")
ACCOUNT_DELETED = fact_type("user.deleted", action="account_deleted")
ACCOUNT_STATUS_CHANGED = fact_type("user.status_changed", action="account_status_changed")
PASSWORD_CHANGED = fact_type("user.password_changed", action="password_changed")
PASSWORD_RESET = fact_type("user.password_reset", action="password_reset")
ROLE_CHANGED = fact_type("user.role_changed", action="role_changed")
LOGGED_IN = fact_type("user.logged_in", action="login")
LOGIN_FAILED = fact_type("user.login_failed", action="login_failed")
LOGGED_OUT = fact_type("user.logged_out", action="logout")
