"""Every state change and non-trivial query of accounts, split by noun; import from here.

Views, the API, the CLI and other capabilities call `services.<function>`. Signing in
(`signin`), sign-in sessions (`sessions`), password resets (`resets`), the audit log
(`audit`) and two-factor sign-in (`twofactor`) are used as submodules:
`services.signin.authenticate(...)`.
"""

from __future__ import annotations

from forum.accounts.services import (
    audit,
    email_links,
    handles,
    resets,
    sessions,
    signin,
    twofactor,
)
from forum.accounts.services.away import cover_candidates, cover_problem, set_away
from forum.accounts.services.departments import (
    create_department,
    department_by_slug,
    department_for_form,
    department_member_counts,
    list_departments,
    rename_department,
)
from forum.accounts.services.invitations import (
    accept_invitation,
    invitation_for_token,
    invite,
    sign_up,
)
from forum.accounts.services.tokens import (
    create_api_token,
    list_api_tokens,
    revoke_all_api_tokens,
    revoke_api_token,
    user_for_api_token,
)
from forum.accounts.services.users import (
    admin_update_user,
    change_password,
    chosen_time_zone,
    create_user,
    hash_password,
    list_users,
    normalize_email,
    set_email_preference,
    set_password,
    update_profile,
    user_by_email,
    users_by_email,
)

__all__ = [
    "accept_invitation",
    "admin_update_user",
    "audit",
    "change_password",
    "chosen_time_zone",
    "cover_candidates",
    "cover_problem",
    "create_api_token",
    "create_department",
    "create_user",
    "department_by_slug",
    "department_for_form",
    "department_member_counts",
    "email_links",
    "handles",
    "hash_password",
    "invitation_for_token",
    "invite",
    "list_api_tokens",
    "list_departments",
    "list_users",
    "normalize_email",
    "rename_department",
    "resets",
    "revoke_all_api_tokens",
    "revoke_api_token",
    "sessions",
    "set_away",
    "set_email_preference",
    "set_password",
    "sign_up",
    "signin",
    "twofactor",
    "update_profile",
    "user_by_email",
    "user_for_api_token",
    "users_by_email",
]
