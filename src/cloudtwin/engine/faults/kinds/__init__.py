"""Built-in fault kinds, one module each: every module here is imported, which registers its kind.
Adding a kind is adding a module (and its test, tests/faults/test_kind_<module>.py)."""

from importlib import import_module
from pkgutil import iter_modules

for _module in iter_modules(__path__):
    import_module(f"{__name__}.{_module.name}")
