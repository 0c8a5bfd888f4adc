"""Pages of the matchmaking workflow: inquiries and their thread, the matches of an owner's
patents, notifications, the public event calendar and the unserved demands. Thin: selectors read, services write,
their messages are shown as they are."""

from .events import (
    event_create,
    event_detail,
    event_edit,
    event_list,
    event_outcome,
    event_register,
    event_share_with_banks,
    event_unregister,
)
from .inquiries import (
    inquiry_accept,
    inquiry_create,
    inquiry_detail,
    inquiry_list,
    inquiry_reply,
    inquiry_transition,
    patent_matches,
)
from .notifications import notification_list, notification_read, notification_read_all
from .subscriptions import (
    subscription_delete,
    subscription_list,
    subscription_save_search,
    subscription_toggle,
    subscription_unsubscribe,
)
from .unserved import unserved_demands

__all__ = [
    "event_create",
    "event_detail",
    "event_edit",
    "event_list",
    "event_outcome",
    "event_register",
    "event_share_with_banks",
    "event_unregister",
    "inquiry_accept",
    "inquiry_create",
    "inquiry_detail",
    "inquiry_list",
    "inquiry_reply",
    "inquiry_transition",
    "notification_list",
    "notification_read",
    "notification_read_all",
    "patent_matches",
    "subscription_delete",
    "subscription_list",
    "subscription_save_search",
    "subscription_toggle",
    "subscription_unsubscribe",
    "unserved_demands",
]
