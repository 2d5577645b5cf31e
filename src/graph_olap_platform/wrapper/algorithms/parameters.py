"""Declared algorithm parameters and their validation (docs/algorithms.md, "Native algorithms").

A parameter is declared once, with its type, default and range; the catalogue shows the
declaration and a start request is checked against it. Every problem of a request is reported
together: ``VALIDATION_FAILED`` with ``details.invalid_params`` (the names at fault),
``details.valid_params`` (every declared name) and ``details.errors`` (one message per name).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from graph_olap_platform.wrapper.algorithms.base import AlgorithmError

ParamType = Literal["float", "int", "bool", "string", "node_id"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: ParamType
    description: str
    default: Any = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False  # minimum < value, e.g. a tolerance above 0
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "description": self.description,
        }
        if self.minimum is not None:
            entry["minimum"] = self.minimum
            entry["exclusive_minimum"] = self.exclusive_minimum
        if self.maximum is not None:
            entry["maximum"] = self.maximum
            entry["exclusive_maximum"] = self.exclusive_maximum
        if self.choices:
            entry["choices"] = list(self.choices)
        return entry

    def coerce(self, value: Any) -> Any:
        """The value as this parameter's type, or ``ValueError`` saying what is wrong."""
        if self.type == "float":
            # bool is an int subclass; "true" for a damping factor is a mistake, not 1.0.
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"must be a number, got {value!r}")
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(f"must be a finite number, got {value!r}")
            self._check_range(number)
            return number
        if self.type == "int":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"must be an integer, got {value!r}")
            self._check_range(value)
            return value
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"must be true or false, got {value!r}")
            return value
        if self.type == "node_id":
            # A node's _id ("Customer_C001") or a bare primary key (a string or an integer).
            if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
                raise ValueError(f"must be a node _id or primary key, got {value!r}")
            return value
        if not isinstance(value, str):
            raise ValueError(f"must be a string, got {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}, got {value!r}")
        return value

    def _check_range(self, value: float) -> None:
        low, high = self.minimum, self.maximum
        if low is not None and (value <= low if self.exclusive_minimum else value < low):
            raise ValueError(
                f"must be {'>' if self.exclusive_minimum else '>='} {low}, got {value}"
            )
        if high is not None and (value >= high if self.exclusive_maximum else value > high):
            raise ValueError(
                f"must be {'<' if self.exclusive_maximum else '<='} {high}, got {value}"
            )


def validate_parameters(
    algorithm: str, specs: Iterable[ParamSpec], given: Mapping[str, Any]
) -> dict[str, Any]:
    """``given`` checked against ``specs``, with defaults filled in (``None`` values mean
    "use the default"); raises one ``VALIDATION_FAILED`` listing every bad name."""
    declared = {spec.name: spec for spec in specs}
    valid = list(declared)
    errors: dict[str, str] = {}
    for name in given:
        if name not in declared:
            errors[name] = (
                f"unknown parameter {name!r} for {algorithm}; valid parameters: "
                f"{', '.join(valid) if valid else '(none)'}"
            )
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        value = given.get(name)
        if value is None:
            if spec.required:
                errors[name] = f"{name} is required"
            elif spec.default is not None:
                values[name] = spec.default
            continue
        try:
            values[name] = spec.coerce(value)
        except ValueError as exc:
            errors[name] = f"{name} {exc}"
    if errors:
        raise AlgorithmError(
            400,
            "VALIDATION_FAILED",
            f"Invalid parameters for {algorithm}: {'; '.join(errors.values())}",
            {
                "algorithm": algorithm,
                "invalid_params": list(errors),
                "valid_params": valid,
                "errors": [{"param": name, "message": msg} for name, msg in errors.items()],
            },
        )
    return values
