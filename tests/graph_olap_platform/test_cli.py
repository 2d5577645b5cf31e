"""The `graph-olap` command: user management against the same store as `serve`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graph_olap_platform.cli import main
from tests.support.platform import PlatformProcess


def test_users_create_prints_a_working_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "create", "carol", "--role", "admin", "--data-dir", str(tmp_path)]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("gok_") and len(key) > 40

    server = PlatformProcess(data_dir=tmp_path)
    server.start()
    try:
        me = httpx.get(f"{server.url}/api/users/me", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200
        assert me.json()["data"]["username"] == "carol"
        assert me.json()["data"]["role"] == "admin"
        assert f"control plane: {server.url}" in server.log_tail()
    finally:
        server.stop()


def test_users_create_twice_fails_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "create", "dave", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["users", "create", "dave", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "graph-olap users key dave" in err


def test_users_key_issues_another_key_and_list_shows_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["users", "create", "erin", "--data-dir", str(tmp_path)])
    first = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["users", "key", "erin", "--data-dir", str(tmp_path)]) == 0
    second = capsys.readouterr().out.strip()
    assert second.startswith("gok_") and second != first
    assert main(["users", "key", "nobody", "--data-dir", str(tmp_path)]) == 1
    assert main(["users", "list", "--data-dir", str(tmp_path)]) == 0
    assert "erin" in capsys.readouterr().out


def test_unknown_role_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["users", "create", "frank", "--role", "root", "--data-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
