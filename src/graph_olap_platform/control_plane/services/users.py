"""User accounts and API keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from graph_olap_platform.control_plane import auth
from graph_olap_platform.control_plane.auth import USERNAME
from graph_olap_platform.control_plane.errors import DomainError, validation_failed
from graph_olap_platform.control_plane.store.db import Store
from graph_olap_platform.control_plane.store.tables import User
from graph_olap_platform.control_plane.validation import Problems, check_fields

USER_FIELDS = {"username", "role", "display_name", "email"}


def user_dict(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


class UserService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, username: str) -> dict[str, Any]:
        with self.store.session() as session:
            user = session.get(User, username)
            if user is None:
                raise DomainError("RESOURCE_NOT_FOUND", "User not found", {"id": username})
            return user_dict(user)

    def list(self) -> list[dict[str, Any]]:
        with self.store.session() as session:
            return [user_dict(u) for u in session.scalars(select(User).order_by(User.username))]

    def create(self, body: Any, *, first_ops: bool = False) -> dict[str, Any]:
        """Create a user with one API key; the key is in the answer and nowhere else."""
        problems = Problems()
        if check_fields(body, USER_FIELDS, problems):
            username = body.get("username")
            if not isinstance(username, str) or not USERNAME.match(username):
                problems.add(
                    "username", "Username must be 1-255 characters: letters, digits, . _ @ -"
                )
            if body.get("role", "analyst") not in auth.ROLES:
                problems.add("role", f"Role must be one of {', '.join(auth.ROLES)}")
        if problems:
            raise validation_failed(problems.errors)
        with self.store.session(write=True) as session:
            if first_ops and session.scalar(select(func.count()).select_from(User)):
                raise DomainError(
                    "ALREADY_EXISTS", "The platform already has users; ask an admin for a key"
                )
            return create_user_with_key(
                session,
                body["username"],
                role="ops" if first_ops else body.get("role", "analyst"),
                display_name=body.get("display_name"),
                email=body.get("email"),
            )


def create_user_with_key(
    session: Session,
    username: str,
    *,
    role: str,
    display_name: str | None = None,
    email: str | None = None,
) -> dict[str, Any]:
    if session.get(User, username) is not None:
        raise DomainError("ALREADY_EXISTS", f"User '{username}' already exists", {"id": username})
    user = auth.create_user(session, username, role=role, display_name=display_name, email=email)
    key = auth.issue_api_key(session, username, name="default")
    session.flush()
    return {**user_dict(user), "api_key": key}
