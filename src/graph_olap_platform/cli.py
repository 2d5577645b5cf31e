"""The ``graph-olap`` command: run the platform and manage users.

    graph-olap serve [--host 127.0.0.1] [--port 8000] [--data-dir DIR] [--dev]
    graph-olap users create NAME [--role analyst|admin|ops]
    graph-olap users key NAME
    graph-olap users list

Every command reads the same settings as the server (``GRAPH_OLAP_*`` variables, then flags), so
``users create`` writes to the store that ``serve`` uses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph_olap_platform import __version__
from graph_olap_platform.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    result: int = args.handler(args)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graph-olap", description="Notebook-first graph analytics platform."
    )
    parser.add_argument("--version", action="version", version=f"graph-olap {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the platform in the foreground")
    _store_options(serve)
    serve.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument(
        "--dev",
        action="store_true",
        help="dev mode: accept X-Username and provision unknown users as analysts",
    )
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.set_defaults(handler=_serve)

    users = commands.add_parser("users", help="manage users and API keys")
    user_commands = users.add_subparsers(title="user commands", metavar="ACTION")
    create = user_commands.add_parser("create", help="create a user and print its API key")
    create.add_argument("name")
    create.add_argument("--role", default="analyst", choices=["analyst", "admin", "ops"])
    create.add_argument("--display-name")
    create.add_argument("--email")
    _store_options(create)
    create.set_defaults(handler=_users_create)
    key = user_commands.add_parser("key", help="issue another API key for a user")
    key.add_argument("name")
    _store_options(key)
    key.set_defaults(handler=_users_key)
    listing = user_commands.add_parser("list", help="list users")
    _store_options(listing)
    listing.set_defaults(handler=_users_list)
    return parser


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="data directory (default ~/.graph-olap)")
    parser.add_argument("--database-url", help="PostgreSQL URL instead of the embedded SQLite")


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    overrides = {
        "data_dir": args.data_dir,
        "database_url": args.database_url,
        **extra,
    }
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graph_olap_platform.control_plane.app import create_app

    settings = _settings(args, host=args.host, port=args.port, dev_mode=args.dev or None)
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"
    store = (
        settings.resolved_database_url.split("@")[-1]
        if settings.database_url
        else str(settings.data_dir / "graph-olap.db")
    )
    print(f"graph-olap {__version__} control plane: {url}  (API docs: {url}/docs)", flush=True)
    print(f"  store: {store}", flush=True)
    if settings.dev_mode:
        print("  dev mode: X-Username accepted, unknown users become analysts", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level)
    return 0


def _with_store(args: argparse.Namespace) -> Any:
    from graph_olap_platform.control_plane.store.db import Store

    store = Store(_settings(args).resolved_database_url)
    store.migrate()
    return store


def _users_create(args: argparse.Namespace) -> int:
    from graph_olap_platform.control_plane.errors import DomainError
    from graph_olap_platform.control_plane.services.users import create_user_with_key

    store = _with_store(args)
    try:
        with store.session(write=True) as session:
            user = create_user_with_key(
                session,
                args.name,
                role=args.role,
                display_name=args.display_name,
                email=args.email,
            )
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        if error.code == "ALREADY_EXISTS":
            print(f"hint: `graph-olap users key {args.name}` issues another key", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    print(f"Created {user['role']} user '{user['username']}'. API key (shown only once):")
    print(user["api_key"])
    return 0


def _users_key(args: argparse.Namespace) -> int:
    from graph_olap_platform.control_plane import auth
    from graph_olap_platform.control_plane.store.tables import User

    store = _with_store(args)
    try:
        with store.session(write=True) as session:
            if session.get(User, args.name) is None:
                print(f"error: no user '{args.name}'", file=sys.stderr)
                return 1
            key = auth.issue_api_key(session, args.name)
    finally:
        store.dispose()
    print(key)
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from graph_olap_platform.control_plane.services.users import UserService

    store = _with_store(args)
    try:
        for user in UserService(store).list():
            state = "" if user["is_active"] else "  (disabled)"
            print(f"{user['username']:<32} {user['role']:<8}{state}")
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
