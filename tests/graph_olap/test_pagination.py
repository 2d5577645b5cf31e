"""PaginatedList: page arithmetic, access, and building from a list envelope."""

from __future__ import annotations

import sys

import pytest

from graph_olap.exceptions import ServerError
from graph_olap.models import MappingVersion
from graph_olap.pagination import PaginatedList, paginated_from_response


@pytest.mark.parametrize(
    ("count", "total", "offset", "limit", "has_more", "pages"),
    [
        (50, 120, 0, 50, True, 3),
        (50, 120, 50, 50, True, 3),
        (20, 120, 100, 50, False, 3),
        (0, 0, 0, 50, False, 0),
        (10, 10, 0, 10, False, 1),
        (3, 3, 0, 0, False, 1),
    ],
)
def test_page_arithmetic(
    count: int, total: int, offset: int, limit: int, has_more: bool, pages: int
) -> None:
    page = PaginatedList(items=list(range(count)), total=total, offset=offset, limit=limit)

    assert page.has_more is has_more
    assert page.page_count == pages
    assert len(page) == count


def test_sequence_access() -> None:
    page = PaginatedList(items=["a", "b", "c"], total=10, offset=0, limit=3)

    assert list(page) == ["a", "b", "c"]
    assert page[1] == "b"
    assert page[-1] == "c"
    assert page[:2] == ["a", "b"]
    with pytest.raises(IndexError):
        page[3]


def test_from_response_builds_models() -> None:
    body = {
        "data": [
            {"version": 2, "created_at": "2025-01-15T10:30:00Z", "created_by": "alice"},
            {"version": 1, "created_at": "2025-01-14T10:30:00Z", "created_by": "alice"},
        ],
        "meta": {"request_id": "r", "total": 7, "offset": 2, "limit": 2},
    }

    page = paginated_from_response(body, MappingVersion)

    assert [v.version for v in page] == [2, 1]
    assert all(isinstance(v, MappingVersion) for v in page)
    assert (page.total, page.offset, page.limit) == (7, 2, 2)
    assert page.has_more


def test_from_response_without_meta_counts_items() -> None:
    body = {"data": [{"version": 1, "created_at": "2025-01-14T10:30:00Z"}]}

    page = paginated_from_response(body, MappingVersion)

    assert (page.total, page.offset, page.limit, page.has_more) == (1, 0, 1, False)


def test_from_response_rejects_non_list_data() -> None:
    with pytest.raises(ServerError, match="list"):
        paginated_from_response({"data": {"id": 1}}, MappingVersion)


def test_to_pandas_without_pandas_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    page = PaginatedList(items=[1], total=1, offset=0, limit=1)

    with pytest.raises(ImportError, match="pip install pandas"):
        page.to_pandas()


def test_to_pandas_one_row_per_item() -> None:
    pytest.importorskip("pandas")
    body = {"data": [{"version": 1, "created_at": "2025-01-14T10:30:00Z"}]}

    frame = paginated_from_response(body, MappingVersion).to_pandas()

    assert list(frame["version"]) == [1]
