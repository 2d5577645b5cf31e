"""Identity and authorisation: API keys, dev-mode usernames, roles and ownership.

Roles are ranked analyst < admin < ops; each inherits the rights of those below. Reads are open
to every authenticated user; writes are for the owner, or for admins and ops.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from graph_olap_platform.control_plane.errors import DomainError, unauthorized
from graph_olap_platform.control_plane.store.tables import ApiKey, User, utcnow

ROLES = ("analyst", "admin", "ops")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,254}$")
KEY_PREFIX = "gok_"
_LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    username: str
    role: str
    display_name: str | None = None

    def has_role(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def is_privileged(self) -> bool:
        """Admins and ops skip ownership checks."""
        return self.has_role("admin")


def require_owner(principal: Principal, owner_username: str, action: str) -> None:
    """Raise PERMISSION_DENIED unless the caller owns the resource or is admin/ops."""
    if principal.username != owner_username and not principal.is_privileged:
        raise DomainError(
            "PERMISSION_DENIED",
            f"Only the owner or an admin can {action}",
            {"owner_username": owner_username, "your_role": principal.role},
        )


def require_role(principal: Principal, role: str) -> None:
    if not principal.has_role(role):
        raise DomainError(
            "INSUFFICIENT_ROLE",
            f"This operation requires the {role} role",
            {"required_role": role, "your_role": principal.role},
        )


def hash_key(key: str) -> str:
    # Keys are 256-bit random strings: a fast hash suffices, there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_user(
    session: Session,
    username: str,
    *,
    role: str = "analyst",
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    if role not in ROLES:
        raise DomainError(
            "VALIDATION_FAILED", f"Unknown role '{role}'", {"field": "role", "allowed": list(ROLES)}
        )
    user = User(username=username, role=role, display_name=display_name or username, email=email)
    session.add(user)
    session.flush()  # keys and mappings reference the user row
    return user


def issue_api_key(session: Session, username: str, name: str | None = None) -> str:
    """Store a new key for ``username`` (hashed) and return the key itself, shown only once."""
    key = new_api_key()
    session.add(ApiKey(username=username, name=name, prefix=key[:10], key_hash=hash_key(key)))
    return key


def authenticate_api_key(session: Session, key: str) -> Principal:
    row = session.scalars(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        raise unauthorized("Invalid API key; create one with `graph-olap users create NAME`")
    user = session.get(User, row.username)
    if user is None:
        raise unauthorized(f"User '{row.username}' does not exist", "USER_NOT_PROVISIONED")
    if not user.is_active:
        raise unauthorized(f"User '{user.username}' is disabled", "USER_DISABLED")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > _LAST_USED_RESOLUTION:
        row.last_used_at = now
    return Principal(user.username, user.role, user.display_name)


def authenticate_dev_username(session: Session, username: str) -> Principal:
    """Dev mode: trust ``X-Username`` and provision unknown users as analysts."""
    user = session.get(User, username)
    if user is None:
        user = create_user(session, username)
    elif not user.is_active:
        raise unauthorized(f"User '{user.username}' is disabled", "USER_DISABLED")
    return Principal(user.username, user.role, user.display_name)
