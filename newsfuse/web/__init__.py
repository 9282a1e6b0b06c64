"""The web app (`newsfuse serve`): FastAPI service, server-rendered pages, static files; all local."""
from __future__ import annotations

import importlib.util

from ..model import NewsfuseError

__all__ = ["create_app", "serve", "WebOptions"]
NEEDS = {"fastapi": "fastapi", "uvicorn": "uvicorn", "jinja2": "jinja2", "python_multipart": "python-multipart"}


def __getattr__(name: str):
    # fastapi loads only when the web app is used, not on `import newsfuse` or `newsfuse --help`
    if name not in __all__:
        raise AttributeError(name)
    missing = [package for module, package in NEEDS.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise NewsfuseError(f"the web app needs {', '.join(missing)}: pip install 'newsfuse[web]'")
    from . import app

    return getattr(app, name)
