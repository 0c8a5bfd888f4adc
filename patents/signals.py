"""What this app announces to the apps above it, which it must not import (`.importlinter`); the
matching app subscribes (``matching/receivers.py``). With no subscriber, everything here works the
same and nothing is queued or notified.

- ``listings_published``: sent after the transaction that published listings commits, with
  ``patent_ids``; the matching engine scores the open demands against them.
- ``listing_reviewed``: a reviewer decided on a submitted listing, inside the decision's
  transaction, with ``patent``, ``approved`` (bool), ``note`` (the reviewer's note, "" when
  approved) and ``reviewer`` (user); the owner and its agencies are notified.
"""

from django.dispatch import Signal

listings_published = Signal()
listing_reviewed = Signal()
