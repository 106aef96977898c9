"""The bundled demo news site, The Meridian Ledger, and the small server that serves it.

``site/`` holds nine articles (one in German; two, from two partner outlets, report one
event), a syndicated near-duplicate, a link-list page that is not an article, a feed, a sitemap
with one dead link and a robots.txt; tests and ``wirehouse demo`` run the whole pipeline
against it without touching the internet.

The names below are loaded on first use, so ``python -m extract.demo_site.server`` runs the
module once, as ``__main__``, instead of importing it twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extract.demo_site.server import SITE_DIR, DemoSite, serve

__all__ = ["SITE_DIR", "DemoSite", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from extract.demo_site import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
