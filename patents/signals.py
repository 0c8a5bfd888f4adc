"""What the patents app announces; other apps (matching's notifications) subscribe, so that patents
never imports them."""

from django.dispatch import Signal

# A reviewer decided on a submitted listing, inside the decision's transaction.
# Arguments: patent, approved (bool), note (the reviewer's note, "" when approved), reviewer (user).
listing_reviewed = Signal()
