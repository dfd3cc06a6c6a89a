"""Signals accounts sends so higher capabilities (hand-over) can follow what admins change.

Sent by `services.admin_update_user` AFTER `db.session.flush()`, INSIDE the caller's
transaction: a receiver that writes rows adds them to the same session, so they commit or roll
back with the change. Receivers must not commit and must not raise for ordinary conditions.

The sender is always the changed User; extra data is passed as keyword arguments, listed for
each signal below. Connect with `user_deactivated.connect(receiver, weak=False)` where
`def receiver(user, **extra) -> None`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

user_deactivated = _signals.signal("user-deactivated")
"""sender: User (already inactive). kwargs: `actor` (User, the admin), `now` (datetime)."""

user_department_changed = _signals.signal("user-department-changed")
"""sender: User (already in the new department). kwargs: `actor` (User), `old_department_id`
(int | None), `new_department_id` (int | None), `now` (datetime)."""
