"""Every change to an account, and the journal (the activity log) that records every fact."""

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Entry, Origin, record
from users import facts, tasks
from users.models import ActivityLog, Role, User


def write_journal(entries: list[Entry]) -> list[ActivityLog]:
    """The activity log keeps every recorded fact (`config.facts` calls this): who, from
    where, which action on which object, in one insert."""
    rows = []
    for entry in entries:
        user, origin, target = entry.user, entry.origin or Origin(), entry.target
        rows.append(
            ActivityLog(
                user=user,
                username=user.username if user is not None else entry.username[:150],
                action=entry.fact_type.action,
                ip_address=origin.ip,
                user_agent=origin.user_agent,
                target_type=target._meta.model_name if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                metadata=entry.data,
            )
        )
    if len(rows) > 1 and connection.features.can_return_rows_from_bulk_insert:
        return ActivityLog.objects.bulk_create(rows)
    for row in rows:  # handlers need each entry's id
        row.save()
    return rows


def _refuse_admin_role(role) -> None:
    if role == Role.ADMIN:
        raise ApplicationError(
            "Admin accounts cannot be self-registered.",
            code="validation_error",
            details={"role": ["Choose attendee or organizer."]},
        )


@transaction.atomic
def register_user(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.ATTENDEE,
    origin: Origin | None = None,
    **profile,
) -> User:
    """Create an account, with any profile fields (`bio`, `phone`, ...) given. Nobody registers
    themself as an admin; with e-mail activation on, the account stays inactive until the
    activation link is used."""
    _refuse_admin_role(role)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                role=role,
                is_active=not settings.AUTH_EMAIL_ACTIVATION,
                **profile,
            )
    except IntegrityError as exc:  # another request took the name or address a moment ago
        raise ApplicationError(
            "That username or e-mail address is already taken.",
            code="validation_error",
            details={"username": ["Taken, or the e-mail address is."]},
        ) from exc
    record(facts.USER_REGISTERED, user=user, origin=origin, target=user, data={"role": role})
    return user


@transaction.atomic
def sign_up(*, email: str, origin: Origin | None = None, **fields) -> User:
    """Self-service sign-up, whose answer never tells whether the address already has an
    account. A new address gets its account (and, with e-mail activation on, the activation
    mail). An address that has one gets no second account: its owner is told by e-mail, and
    the caller gets an unsaved account built from the same data, so that the answer reads
    like any other. Both mails leave from a background task after the commit, so the two
    answers also take the same time."""
    _refuse_admin_role(fields.get("role"))
    if User.objects.filter(email__iexact=email).exists():
        transaction.on_commit(lambda: tasks.send_account_exists.delay(email))
        fields.pop("password")
        return User(
            email=email,
            is_active=not settings.AUTH_EMAIL_ACTIVATION,
            date_joined=timezone.now(),
            **fields,
        )
    user = register_user(email=email, origin=origin, **fields)
    if settings.AUTH_EMAIL_ACTIVATION:
        transaction.on_commit(lambda: tasks.send_activation.delay(user.pk))
    return user


@transaction.atomic
def activate_user(*, user: User, origin: Origin | None = None) -> User:
    """The activation link proves the address: the account is active and its e-mail verified."""
    user.is_active = True
    user.email_verified = True
    user.save(update_fields=["is_active", "email_verified"])
    record(facts.USER_ACTIVATED, user=user, origin=origin, target=user)
    return user


@transaction.atomic
def update_profile(*, user: User, data: dict, origin: Origin | None = None) -> User:
    """Change one's own profile. A new e-mail address is no longer verified."""
    changed = sorted(field for field, value in data.items() if getattr(user, field) != value)
    new_email = data.get("email")
    if new_email is not None and new_email.lower() != user.email.lower():
        user.email_verified = False
    for field, value in data.items():
        setattr(user, field, value)
    user.save()
    if changed:
        record(
            facts.PROFILE_UPDATED, user=user, origin=origin, target=user, data={"changed": changed}
        )
    return user


def profile_edited_by_admin(
    *, user: User, changed: list[str], actor: User, origin: Origin | None = None
) -> None:
    """The Django admin saved changes to someone's profile fields: recorded as the owner's own
    edits are (names shown elsewhere are refreshed from it), with the admin as its author."""
    if changed:
        record(
            facts.PROFILE_UPDATED,
            user=actor,
            origin=origin,
            target=user,
            data={"changed": sorted(changed)},
        )


def blacklist_refresh_tokens(user: User) -> int:
    """Blacklist every refresh token the user still holds, so no session outlives this change.
    Access tokens run out by themselves within ACCESS_TOKEN_LIFETIME."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    tokens = list(outstanding.only("id"))
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in tokens], ignore_conflicts=True
    )
    return len(tokens)


@transaction.atomic
def change_password(
    *, user: User, new_password: str | None, actor: User | None = None, origin: Origin | None = None
) -> None:
    """Set a new password (already validated), or none (`None`: password sign-in switched
    off, from the Django admin), and end every session of the account. `actor` is who did
    it when not the account's owner (an admin)."""
    if new_password is None:
        user.set_unusable_password()
    else:
        user.set_password(new_password)
    user.save(update_fields=["password"])
    blacklist_refresh_tokens(user)
    record(facts.PASSWORD_CHANGED, user=actor or user, origin=origin, target=user)


@transaction.atomic
def reset_password(*, user: User, new_password: str, origin: Origin | None = None) -> None:
    """Finish a password reset: the e-mailed link proves the address, sessions end."""
    user.set_password(new_password)
    user.email_verified = True
    user.save(update_fields=["password", "email_verified"])
    blacklist_refresh_tokens(user)
    record(facts.PASSWORD_RESET, user=user, origin=origin, target=user)


@transaction.atomic
def deactivate_account(*, user: User, origin: Origin | None = None) -> None:
    """Delete an account as far as its owner is concerned: it can no longer sign in and its
    personal data is scrubbed, while the row stays so registrations, payments and invoices keep
    their history."""
    if user.avatar:
        user.avatar.delete(save=False)
    # No one can register a name with an @ or an empty address, so the scrubbed account can
    # never collide with an account made before, and the delete cannot fail on uniqueness.
    user.username = f"deleted@{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.bio = user.phone = user.organization = ""
    user.website = user.twitter = user.linkedin = user.github = user.facebook = ""
    user.newsletter_subscribed = user.notifications_enabled = user.email_verified = False
    user.is_active = False
    user.set_unusable_password()
    user.save()
    blacklist_refresh_tokens(user)
    record(facts.ACCOUNT_DELETED, user=user, origin=origin, target=user)


@transaction.atomic
def update_user_as_admin(
    *,
    actor: User,
    user: User,
    role: str | None = None,
    is_active: bool | None = None,
    origin: Origin | None = None,
) -> User:
    """An admin changes someone's role or switches the account on or off. Admins cannot demote
    or deactivate themselves, so the platform always keeps the admin who made the change."""
    if user.pk == actor.pk and ((role is not None and role != Role.ADMIN) or is_active is False):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "You cannot remove your own admin role or deactivate "
            "your own account; ask another admin.",
        )
    if role is not None and role != user.role:
        previous = user.role
        user.role = role
        user.is_staff = role == Role.ADMIN
        user.is_superuser = user.is_superuser and user.is_staff
        user.save(update_fields=["role", "is_staff", "is_superuser"])
        record(
            facts.ROLE_CHANGED,
            user=actor,
            origin=origin,
            target=user,
            data={"from": previous, "to": role, "username": user.username},
        )
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        if not is_active:
            blacklist_refresh_tokens(user)
        record(
            facts.ACCOUNT_STATUS_CHANGED,
            user=actor,
            origin=origin,
            target=user,
            data={"is_active": is_active, "username": user.username},
        )
    return user


def record_login(*, user: User, origin: Origin | None = None) -> None:
    record(facts.LOGGED_IN, user=user, origin=origin, target=user)


def record_failed_login(*, username: str, origin: Origin | None = None) -> None:
    """A failed sign-in. When the name is an existing account, the entry is attached to it, so an
    admin sees the attempts against that account."""
    user = User.objects.find_by_login(username)
    record(facts.LOGIN_FAILED, user=user, username=username, origin=origin)


@transaction.atomic
def logout(*, user: User, refresh: str, origin: Origin | None = None) -> None:
    """Blacklist the given refresh token, which must be the caller's own."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise ApplicationError(
            "The refresh token is not valid.",
            code="validation_error",
            details={"refresh": [str(exc)]},
        ) from exc
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise ApplicationError(
            "The refresh token is not valid.",
            code="validation_error",
            details={"refresh": ["This token belongs to another account."]},
        )
    token.blacklist()
    record(facts.LOGGED_OUT, user=user, origin=origin, target=user)
