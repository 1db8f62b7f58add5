"""A reference customer portal over ``OrderService``: Starlette, Jinja2 templates, no JavaScript.

Run it with ``make portal`` (or ``PYTHONPATH=examples python -m portal``).
The modules, in reading order:

- :mod:`portal.world`: the demo's world, preloaded with its six stories;
- :mod:`portal.app`: the routes, one ``OrderService`` call each, and the error mapping;
- :mod:`portal.pending_actions`: two routes for service methods still to be merged;
- ``templates/``: the pages; ``static/``: the style sheet and the two stage icons.
"""

from .app import create_app
from .world import ACCOUNTS, StoryFailed, preload

__all__ = ["ACCOUNTS", "StoryFailed", "create_app", "preload"]
