"""What the figures of an outlook mean, in words: shown on the pages beside the figures and in the API document."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

USABLE_WORDS = _l("Usable: units on hand in released lots in active warehouses with at least the minimum remaining "
                  "shelf life, so picking can still issue them. Reserved units are included.")
RESERVED_WORDS = _l("Reserved: usable units set aside in particular lots for approved requests, waiting to be "
                    "picked.")
COMMITTED_WORDS = _l("Committed: units approved on requests and not yet issued. The projection takes them from "
                     "stock today.")
PENDING_WORDS = _l("Pending: units asked on requests that await review. The projection takes them from stock today "
                   "as well; they are shown apart because a review may still cut them.")
DAYS_OF_SUPPLY_WORDS = _l("Days of supply: how many days the usable stock meets the forecast demand after committed "
                          "and pending demand, counting units that pass their last pick day unused as lost and "
                          "leaving expected deliveries out.")
WASTE_WORDS = _l("Projected waste: units that will pass their last pick day (expiry minus the minimum remaining "
                 "shelf life) before the forecast demand uses them.")

# The API document speaks English; these are the same definitions as plain strings.
USABLE = str(USABLE_WORDS)
RESERVED = str(RESERVED_WORDS)
COMMITTED = str(COMMITTED_WORDS)
PENDING = str(PENDING_WORDS)
DAYS_OF_SUPPLY = str(DAYS_OF_SUPPLY_WORDS)
WASTE = str(WASTE_WORDS)
