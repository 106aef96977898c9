"""wirehouse: a self-hosted news event warehouse.

The package holds every stage the Airflow DAGs run (sources, fetch, clean, load, transform,
checks) as plain functions, so the ``wirehouse`` CLI and the DAGs share one code path.
No Airflow imports live here.
"""

import logging

__version__ = "0.1.0"
__all__ = ["__version__"]

logging.getLogger(__name__).addHandler(logging.NullHandler())
