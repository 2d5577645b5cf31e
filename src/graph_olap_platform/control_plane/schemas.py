"""Request body schemas, published in the OpenAPI document.

Bodies are validated by ``validation.py`` (which reports every problem at once); these models
describe the same contract for ``/docs`` and client generators.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graph_olap.models import EdgeDefinition, NodeDefinition


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MappingCreateRequest(_Body):
    name: str = Field(min_length=1, max_length=255, examples=["Customer Transactions"])
    description: str | None = Field(default=None, max_length=4000)
    node_definitions: list[NodeDefinition] = Field(min_length=1)
    edge_definitions: list[EdgeDefinition] = Field(default_factory=list)
    ttl: str | None = Field(default=None, examples=["P90D"])
    inactivity_timeout: str | None = Field(default="P30D", examples=["P30D"])


class MappingUpdateRequest(_Body):
    name: str | None = None
    description: str | None = None
    change_description: str | None = Field(
        default=None,
        description="Required with new definitions (it describes the new version they create); "
        "refused without them",
    )
    node_definitions: list[NodeDefinition] | None = None
    edge_definitions: list[EdgeDefinition] | None = None


class MappingCopyRequest(_Body):
    name: str | None = Field(default=None, description="Defaults to 'Copy of {name}'")


class LifecycleRequest(_Body):
    ttl: str | None = Field(default=None, examples=["P90D"])
    inactivity_timeout: str | None = Field(default=None, examples=["P30D"])


class UserCreateRequest(_Body):
    username: str
    role: str = "analyst"
    display_name: str | None = None
    email: str | None = None


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body that the route parses itself."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


class InstanceCreateRequest(_Body):
    mapping_id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=255)
    wrapper_type: str | None = Field(
        default=None, description="ladybug | ryugraph | falkordb (default: the server's)"
    )
    mapping_version: int | None = Field(default=None, description="Default: current version")
    description: str | None = None
    snapshot_name: str | None = Field(default=None, description="Default: the instance name")
    ttl: str | None = Field(default=None, examples=["PT24H"])
    inactivity_timeout: str | None = Field(default=None, examples=["PT4H"])
    cpu_cores: int = Field(default=2, ge=1, le=8)


class InstanceUpdateRequest(_Body):
    name: str | None = None
    description: str | None = None


class CpuRequest(_Body):
    cpu_cores: int = Field(ge=1, le=8)
