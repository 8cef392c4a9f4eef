"""barometer: a Social Trust Barometer for neighbourhoods.

Connects social-media text, footfall sensing, structured observation of public spaces and
surveys into neighbourhood x period trust indicators with honest uncertainty.
"""

from barometer.exceptions import (
    BarometerError,
    ConfigError,
    EstimationError,
    InputError,
    SchemaError,
    WarehouseError,
)

__version__ = "0.1.0"

__all__ = [
    "BarometerError",
    "ConfigError",
    "EstimationError",
    "InputError",
    "SchemaError",
    "WarehouseError",
    "__version__",
]
