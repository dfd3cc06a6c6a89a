"""The vocabulary of the audit log: each action an AuditEvent records, and how it reads."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """What an audit entry records; the vocabulary grows with the audit log."""

    SIGN_IN_SUCCEEDED = "sign_in.succeeded"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGN_IN_UNLOCKED = "sign_in.unlocked"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105  (an action name, not a secret)
    PASSWORD_RESET = "password.reset"  # noqa: S105
    SESSIONS_ENDED = "sessions.ended"
    ROLE_CHANGED = "user.role_changed"
    DEPARTMENT_CHANGED = "user.department_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    RECOVERY_CODE_USED = "two_factor.recovery_code_used"
    TWO_FACTOR_POLICY_CHANGED = "two_factor.policy_changed"
    THREAD_PINNED = "thread.pinned"
    THREAD_UNPINNED = "thread.unpinned"
    THREAD_LOCKED = "thread.locked"
    THREAD_UNLOCKED = "thread.unlocked"
    THREAD_MOVED = "thread.moved"
    THREAD_DELETED = "thread.deleted"
    THREAD_RESTORED = "thread.restored"
    THREAD_KIND_CHANGED = "thread.kind_changed"
    THREAD_MERGED = "thread.merged"
    THREAD_SPLIT = "thread.split"
    POST_HIDDEN = "post.hidden"
    POST_DELETED = "post.deleted"
    POST_RESTORED = "post.restored"
    FLAG_RESOLVED = "flag.resolved"
    FLAG_DISMISSED = "flag.dismissed"
    SSO_LINKED = "sso.linked"
    SSO_ACCOUNT_CREATED = "sso.account_created"
    SSO_UPDATED = "sso.updated"
    SKILL_LIST_CHANGED = "skill.changed"  # details: change = added, renamed, retired...
    MEETUP_EDITED = "meetup.edited"
    MEETUP_CANCELLED = "meetup.cancelled"
    HANDOVER_OPENED = "handover.opened"
    HANDOVER_REASSIGNED = "handover.reassigned"
    HANDOVER_CLOSED = "handover.closed"
    EMAIL_LINK_SIGN_IN = "sign_in.email_link"
    ESCALATION_ACKNOWLEDGED_BY_LINK = "escalation.acknowledged_by_link"
    EMAIL_UNSUBSCRIBED = "email.unsubscribed"

    @property
    def label(self) -> str:
        return _AUDIT_LABELS[self.value]


_AUDIT_LABELS = {
    "sign_in.succeeded": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "sign_in.unlocked": "Sign-in unlocked",
    "password.changed": "Password changed",
    "password.reset": "Password reset by email link",
    "sessions.ended": "Signed out everywhere",
    "user.role_changed": "Role changed",
    "user.department_changed": "Department changed",
    "user.deactivated": "Account deactivated",
    "user.reactivated": "Account reactivated",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "two_factor.enabled": "Two-factor sign-in turned on",
    "two_factor.disabled": "Two-factor sign-in turned off",
    "two_factor.recovery_code_used": "Recovery code used",
    "two_factor.policy_changed": "Two-factor requirement changed",
    "thread.pinned": "Thread pinned",
    "thread.unpinned": "Thread unpinned",
    "thread.locked": "Thread locked",
    "thread.unlocked": "Thread unlocked",
    "thread.moved": "Thread moved",
    "thread.deleted": "Thread deleted",
    "thread.restored": "Thread restored",
    "thread.kind_changed": "Thread kind changed by a moderator",
    "thread.merged": "Thread merged into another",
    "thread.split": "Replies split off into a new thread",
    "post.hidden": "Post hidden",
    "post.deleted": "Post deleted by a moderator",
    "post.restored": "Post restored by a moderator",
    "flag.resolved": "Flag resolved",
    "flag.dismissed": "Flag dismissed",
    "sso.linked": "Single sign-on linked to the account",
    "sso.account_created": "Account created by single sign-on",
    "sso.updated": "Role or department set by single sign-on",
    "skill.changed": "Skills and training list changed",
    "meetup.edited": "Meet-up edited by a moderator",
    "meetup.cancelled": "Meet-up cancelled by a moderator",
    "handover.opened": "Hand-over opened",
    "handover.reassigned": "Hand-over item reassigned",
    "handover.closed": "Hand-over closed",
    "sign_in.email_link": "Signed in by an email link",
    "escalation.acknowledged_by_link": "Escalation acknowledged by an email link",
    "email.unsubscribed": "Unsubscribed by an email link",
}
