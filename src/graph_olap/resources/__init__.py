"""One class per REST resource; each uses the client's shared ``HTTPClient``."""

from graph_olap.resources.health import HealthResource
from graph_olap.resources.instances import InstanceResource
from graph_olap.resources.mappings import MappingResource
from graph_olap.resources.snapshots import SnapshotResource

__all__ = ["HealthResource", "InstanceResource", "MappingResource", "SnapshotResource"]
