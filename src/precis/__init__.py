"""precis: a self-hosted news reader and story-intelligence engine."""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
