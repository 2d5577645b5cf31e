"""One class per REST resource; each uses the client's shared ``HTTPClient``."""

from graph_olap.resources.health import HealthResource
from graph_olap.resources.mappings import MappingResource

__all__ = ["HealthResource", "MappingResource"]
