"""What this app announces to the apps above it, which it must not import (`.importlinter`).

``listings_published`` is sent after the transaction that published listings commits, with
``patent_ids``: the matching engine (``matching/receivers.py``) scores the open demands against
them. With no subscriber, publishing works the same and nothing is queued.
"""

from django.dispatch import Signal

listings_published = Signal()
