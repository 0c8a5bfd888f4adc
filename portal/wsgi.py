"""WSGI entry point (gunicorn portal.wsgi; runserver and the browser tests' live server load it too)."""

import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
application = get_wsgi_application()


def _warm_up() -> None:
    # jieba loads its dictionary on first use (1-2 s): the first demand published or patent listed
    # after a start would wait for it. Loaded here, beside the first requests, it is ready sooner.
    from textanalysis import warm_up

    warm_up()


threading.Thread(target=_warm_up, name="warm-up-text-analysis", daemon=True).start()
