"""What this app announces to the apps above it, which it must not import (`.importlinter`).

``demands_published`` is sent after the transaction that published or changed open demands
commits, with ``demand_ids``: the matching engine (``matching/receivers.py``) matches them again.
"""

from django.dispatch import Signal

demands_published = Signal()
