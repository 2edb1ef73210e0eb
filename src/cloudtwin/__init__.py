"""cloudtwin: an offline twin of GPU-cloud APIs, driven by OpenAPI specs, on a virtual clock."""

__version__ = "0.1.0"
