"""One page of a list endpoint. Paging is explicit: nothing fetches more pages behind your back."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Generic, TypeVar, overload

from graph_olap.exceptions import ServerError
from graph_olap.models.common import WireModel

__all__ = ["PaginatedList", "paginated_from_response"]

T = TypeVar("T")
M = TypeVar("M", bound=WireModel)


@dataclass(frozen=True)
class PaginatedList(Generic[T]):
    """``items`` of one page plus the server's ``total``, ``offset`` and ``limit``."""

    items: list[T] = field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int = 50

    @property
    def has_more(self) -> bool:
        """Whether items exist after this page (ask again with ``offset=offset + limit``)."""
        return self.offset + len(self.items) < self.total

    @property
    def page_count(self) -> int:
        """How many pages of ``limit`` items hold ``total`` items."""
        if self.limit <= 0:
            return 1 if self.total else 0
        return math.ceil(self.total / self.limit)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.items[index]

    def to_pandas(self) -> Any:
        """This page as a ``pandas.DataFrame``, one row per item (needs ``pip install pandas``)."""
        try:
            # Imported by name: pandas is optional and untyped here, so keep it out of mypy's view.
            pandas = import_module("pandas")
        except ImportError as exc:
            raise ImportError(
                "to_pandas() needs pandas; install it with `pip install pandas`"
            ) from exc
        return pandas.DataFrame([_row(item) for item in self.items])

    def _repr_html_(self) -> str:
        from graph_olap.jupyter.reprs import page_html  # lazy: only notebooks render HTML

        return page_html(self)


def paginated_from_response(body: dict[str, Any], model: type[M]) -> PaginatedList[M]:
    """Build a page from a list envelope ``{"data": [...], "meta": {total, offset, limit}}``."""
    data = body.get("data")
    if not isinstance(data, list):
        raise ServerError(
            f"Expected a list in 'data' of a list response, got {type(data).__name__}"
        )
    items = [model.from_api_response(item) for item in data]
    meta = body.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    return PaginatedList(
        items=items,
        total=int(meta.get("total", len(items))),
        offset=int(meta.get("offset", 0)),
        limit=int(meta.get("limit", len(items))),
    )


def _row(item: Any) -> Any:
    to_dict = getattr(item, "to_dict", None)
    return to_dict() if callable(to_dict) else item
