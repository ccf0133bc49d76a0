# Type stubs of the extension module. Users call the typed wrappers in deepgm.bn, deepgm.rbm,
# deepgm.cnn, deepgm.mrf and deepgm.data; these declare what those wrappers reach.
from types import ModuleType

__version__: str

class DeepgmValueError(ValueError): ...

class FormatError(DeepgmValueError):
    path: str
    line: int | None
    column: int | None

class InfeasibleError(MemoryError):
    needed: float
    budget: float
    unit: str

bn: ModuleType
rbm: ModuleType
cnn: ModuleType
mrf: ModuleType
data: ModuleType
