"""The declared access policy: for every route, what each role may do to whose objects.

Keys are `(method, rule pattern)` exactly as in the app's URL map; the matrix test fails for a
route missing here, and for an entry whose route no longer exists. Each entry says, for the
three variants of the objects the route names (see tests/security/world.py):

- `own`: the person's own thread, post, escalation, notification, sign-in, token, profile...
- `other`: a colleague's, in the same department (on the department's own board);
- `other_dept`: someone's of another department, on that department's board,

which outcome each role gets, as a ladder over the roles: `{"member": HIDE, "senior": ALLOW}`
means members and enthusiasts get HIDE (404), seniors and admins ALLOW. The anonymous visitor
and the deactivated person (signed in, then deactivated: session and token dead) get `anon`.

Outcomes are what the gate decided, not whether the (empty) input was good:
LOGIN (302 to /login, or 401 from the API), DENY (403), HIDE (404, the thing's existence not
revealed), ALLOW (anything else below 500: the page, a redirect after success, a 400 or 409 about
the input). 5xx is never expected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LOGIN, DENY, HIDE, ALLOW, ERROR = "login", "deny", "hide", "allow", "error"
RANKS = ("member", "enthusiast", "senior", "admin")

Ladder = Mapping[str, str]  # lowest role it applies from -> outcome


def ladder_outcome(ladder: Ladder, role: str) -> str:
    result = DENY
    for rank in RANKS[: RANKS.index(role) + 1]:
        result = ladder.get(rank, result)
    return result


@dataclass(frozen=True)
class Access:
    own: Ladder
    other: Ladder
    other_dept: Ladder
    anon: str = LOGIN
    # A request body that passes validation, so the service's own check is what decides.
    body: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    query: str = ""
    # The request may end the person's sign-in or change their role: sign in again afterwards.
    disruptive: bool = False
    # Cells that no ladder describes: (role, variant) -> outcome.
    cells: Mapping[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    # A setting that, when true, opens the route to the anonymous visitor (ALLOW); the matrix
    # runs with it off (`anon` applies), test_routes_public_by_a_setting with it on.
    public_when: str | None = None

    def expected(self, role: str, variant: str) -> str:
        if (role, variant) in self.cells:
            return self.cells[(role, variant)]
        if role in ("anonymous", "deactivated"):
            return self.anon
        ladder = {"own": self.own, "any": self.own, "other": self.other}.get(
            variant, self.other_dept
        )
        return ladder_outcome(ladder, role)


def everyone(**extra: Any) -> Access:
    """Anyone, signed in or not (the sign-in pages, health, static files)."""
    all_allowed = {"member": ALLOW}
    return Access(all_allowed, all_allowed, all_allowed, anon=ALLOW, **extra)


def staff(**extra: Any) -> Access:
    """Any signed-in person, whatever the object's owner or department."""
    allowed = {"member": ALLOW}
    return Access(allowed, allowed, allowed, **extra)


def from_role(role: str, below: str = DENY, **extra: Any) -> Access:
    """Only `role` and above, on anyone's objects; lower roles get `below`."""
    ladder = {"member": below, role: ALLOW}
    return Access(ladder, ladder, ladder, **extra)


ADMIN = from_role("admin")
# Another department's board and everything on it: hidden below seniors.
DEPT = {"member": HIDE, "senior": ALLOW}
ALL = {"member": ALLOW}


def department_scoped(**extra: Any) -> Access:
    """Objects on boards: yours and your department's open, another department's hidden."""
    return Access(ALL, ALL, DEPT, **extra)


def personal(**extra: Any) -> Access:
    """Things that are only ever yours (notices, sign-ins, tokens): someone else's is a 404."""
    return Access(ALL, {"member": HIDE}, {"member": HIDE}, **extra)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


_serial = itertools.count(1)
OWN_ONLY = {"member": DENY}  # someone else's: refused (the thing is visible, the act is not)
MODERATE = {"member": DENY, "admin": ALLOW}  # board moderators and admins
MODERATE_DEPT = {"member": HIDE, "senior": DENY, "admin": ALLOW}
FLAGS = {"member": HIDE, "admin": ALLOW}
HANDLE = {"member": DENY, "senior": ALLOW}  # escalations: seniors and admins handle them
APPROVE = {"member": DENY, "enthusiast": ALLOW}  # registry: the department's enthusiasts up
APPROVE_DEPT = {"member": DENY, "senior": ALLOW}

FEED = Access(
    ALL,
    {"member": HIDE},
    {"member": HIDE},
    anon=HIDE,
    cells={("anonymous", "own"): ALLOW, ("anonymous", "other"): ALLOW},
)


def meetup_form(**extra: str) -> dict[str, str]:
    """A valid meet-up form, a week ahead (in the reader's zone, UTC in this world)."""
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    return {
        "title": unique("Meet-up"),
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Room 1",
        **extra,
    }


POLICY: dict[tuple[str, str], Access] = {
    # --- open to anyone: signing in, signing up, resets, invitations, health, documents ---
    ("GET", "/login"): everyone(),
    ("POST", "/login"): everyone(),
    ("GET", "/signup"): everyone(),
    # Sign-up is closed in this world (no ALLOWED_EMAIL_DOMAINS): a POST is refused for all.
    ("POST", "/signup"): Access({"member": DENY}, {"member": DENY}, {"member": DENY}, anon=DENY),
    # Single sign-on is not configured in this world: both ends are a 404 for everyone
    # (tests/accounts/test_sso.py covers them against a real provider).
    ("GET", "/login/sso"): Access({"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE),
    ("GET", "/login/sso/callback"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    ("GET", "/forgot-password"): everyone(),
    ("POST", "/forgot-password"): everyone(),
    # Any token that is not a live reset link is a 404, whoever asks.
    ("GET", "/reset-password/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    ("POST", "/reset-password/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    # One-click links of emails: the signed link, not a sign-in, says who acts; any token that
    # is not such a link is a 404, whoever asks. The acknowledge and open-signed-in buttons
    # POST with the page's CSRF token (tests/escalations/test_email_links.py covers real links,
    # someone else signed in, expiry, reuse and the two-factor step).
    ("GET", "/escalations/link/acknowledge/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    ("POST", "/escalations/link/acknowledge/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    ("GET", "/escalations/link/open/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    ("POST", "/escalations/link/open/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    # List-Unsubscribe (RFC 8058): public and CSRF-exempt, since mail providers POST
    # "List-Unsubscribe=One-Click" without cookies; the signed link is the authority
    # (tests/alerts/test_unsubscribe.py). A POST without that body is refused as input (400).
    ("GET", "/unsubscribe/<token>"): Access(
        {"member": HIDE}, {"member": HIDE}, {"member": HIDE}, anon=HIDE
    ),
    ("POST", "/unsubscribe/<token>"): Access(
        {"member": HIDE},
        {"member": HIDE},
        {"member": HIDE},
        anon=HIDE,
        body=lambda w, v: {"List-Unsubscribe": "One-Click"},
    ),
    ("GET", "/invite/<token>"): everyone(),
    # Accepting signs the new person in, replacing whoever was signed in on that browser.
    ("POST", "/invite/<token>"): everyone(
        body=lambda w, v: {"display_name": "Invitee", "password": "a long new password"},
        disruptive=True,
    ),
    ("GET", "/healthz"): everyone(),
    ("GET", "/favicon.ico"): everyone(),
    ("GET", "/manifest.webmanifest"): everyone(),
    ("GET", "/static/<path:filename>"): everyone(),
    ("GET", "/api/v1/openapi.json"): everyone(),
    # A private feed is opened by its key, signed in or not: the owner's id and key open it,
    # a key with someone else's id is a 404, and so is a deactivated person's feed. (The
    # anonymous visitor holds the peer's link: it opens the peer's feed, not the stranger's.)
    ("GET", "/feeds/<id:user_id>/<key>/activity.xml"): FEED,
    ("GET", "/feeds/<id:user_id>/<key>/b/<slug>.xml"): FEED,
    # --- signed in: the person's own account ---
    # Signing out (this device, or everywhere) ends the sign-in, so the answer is the sign-in page.
    ("POST", "/logout"): Access({"member": LOGIN}, {}, {}, disruptive=True),
    ("POST", "/settings/sessions/end-all"): Access({"member": LOGIN}, {}, {}, disruptive=True),
    ("GET", "/settings"): staff(),
    # Two-factor: one's own enrolment only (the routes name no object). The second sign-in
    # step is public, but without a password step behind it everyone is sent to /login.
    ("GET", "/settings/two-factor"): staff(),
    ("POST", "/settings/two-factor/begin"): staff(),
    ("POST", "/settings/two-factor/confirm"): staff(),
    ("POST", "/settings/two-factor/disable"): staff(),
    ("GET", "/login/two-factor"): Access({"member": LOGIN}, {}, {}),
    ("POST", "/login/two-factor"): Access({"member": LOGIN}, {}, {}),
    ("POST", "/settings/away"): staff(),
    ("POST", "/settings/password"): staff(),
    ("POST", "/settings/profile"): staff(),
    ("POST", "/settings/tokens"): staff(body=lambda w, v: {"name": unique("token")}),
    ("POST", "/settings/sessions/<id:session_id>/end"): personal(),
    ("POST", "/settings/tokens/<id:token_id>/revoke"): personal(),
    ("GET", "/notifications"): staff(),
    ("POST", "/notifications/read"): staff(),
    ("GET", "/notifications/<id:notification_id>/open"): personal(),
    ("GET", "/api/v1/me"): staff(),
    ("GET", "/api/v1/notifications"): staff(),
    ("POST", "/api/v1/notifications/read"): staff(body=lambda w, v: {"all": True}),
    # --- boards: department boards are hidden from other departments below seniors ---
    ("GET", "/"): staff(),
    ("GET", "/search"): staff(query="q=matrix"),
    ("GET", "/api/v1/search"): staff(query="q=matrix"),
    ("GET", "/search/similar"): staff(query="title=matrix"),
    ("POST", "/preview"): staff(body=lambda w, v: {"body": "*preview*"}),
    ("GET", "/tags/<tag>"): staff(),  # a listing: it shows only threads the reader may see
    ("GET", "/b/<slug>"): department_scoped(),
    ("GET", "/b/<slug>/new"): department_scoped(),
    ("POST", "/b/<slug>/new"): department_scoped(
        body=lambda w, v: {"kind": "question", "title": unique("New"), "body": "Body."}
    ),
    ("POST", "/b/<slug>/watch"): department_scoped(),
    ("GET", "/t/<id:thread_id>"): department_scoped(),
    ("GET", "/t/<id:thread_id>-<slug>"): department_scoped(),
    ("GET", "/t/<id:thread_id>/unread"): department_scoped(),
    # One's own drafts, on threads and boards one may see.
    ("GET", "/drafts/thread/<id:thread_id>"): department_scoped(),
    ("POST", "/drafts/thread/<id:thread_id>"): department_scoped(body=lambda w, v: {"body": "Hm."}),
    ("GET", "/drafts/b/<slug>"): department_scoped(),
    ("POST", "/drafts/b/<slug>"): department_scoped(body=lambda w, v: {"body": "Hm."}),
    ("POST", "/t/<id:thread_id>/watch"): department_scoped(),
    ("GET", "/t/<id:thread_id>/reply"): department_scoped(),
    ("POST", "/t/<id:thread_id>/reply"): department_scoped(body=lambda w, v: {"body": "A reply."}),
    ("GET", "/t/<id:thread_id>/escalate"): department_scoped(),
    ("POST", "/t/<id:thread_id>/escalate"): department_scoped(
        body=lambda w, v: {"reason": "Needs help.", "urgency": "urgent"}
    ),
    # The author, the board's moderators and seniors mark solutions.
    ("POST", "/t/<id:thread_id>/solution"): Access(ALL, HANDLE, DEPT),
    # The picker of fix threads, on its own page: the same people.
    ("GET", "/t/<id:thread_id>/solution"): Access(ALL, HANDLE, DEPT),
    ("POST", "/t/<id:thread_id>/lock"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("POST", "/t/<id:thread_id>/pin"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("GET", "/t/<id:thread_id>/move"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("POST", "/t/<id:thread_id>/move"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    # Authors delete their own thread while nobody else replied; moderators any thread.
    ("GET", "/t/<id:thread_id>/delete"): Access(ALL, MODERATE, MODERATE_DEPT),
    ("POST", "/t/<id:thread_id>/delete"): Access(ALL, MODERATE, MODERATE_DEPT),
    # Restoring (here of a thread that is not deleted: 409) is for moderators.
    ("POST", "/t/<id:thread_id>/restore"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("GET", "/moderation/deleted"): from_role("admin"),
    ("POST", "/t/<id:thread_id>/kind"): Access(
        MODERATE, MODERATE, MODERATE_DEPT, body=lambda w, v: {"kind": "fix"}
    ),
    ("GET", "/t/<id:thread_id>/merge"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("GET", "/t/<id:thread_id>/split"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    # An empty form: refused as input (400) once the gate let the moderator through.
    ("POST", "/t/<id:thread_id>/split"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    # An empty form: refused as input (400) once the gate let the moderator through.
    ("POST", "/t/<id:thread_id>/merge"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("GET", "/p/<id:post_id>"): department_scoped(),
    ("GET", "/p/<id:post_id>/revisions"): department_scoped(),
    # Authors edit and delete their own posts; moderators and admins anyone's.
    ("GET", "/p/<id:post_id>/edit"): Access(ALL, MODERATE, MODERATE_DEPT),
    ("POST", "/p/<id:post_id>/edit"): Access(
        ALL, MODERATE, MODERATE_DEPT, body=lambda w, v: {"body": "Edited."}
    ),
    ("POST", "/p/<id:post_id>/delete"): Access(ALL, MODERATE, MODERATE_DEPT),
    ("POST", "/p/<id:post_id>/restore"): Access(ALL, MODERATE, MODERATE_DEPT),
    ("GET", "/p/<id:post_id>/hide"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    ("POST", "/p/<id:post_id>/hide"): Access(
        MODERATE, MODERATE, MODERATE_DEPT, body=lambda w, v: {"reason": "Off topic."}
    ),
    # Flagging and reacting: anyone who can see the post, but never one's own.
    ("GET", "/p/<id:post_id>/flag"): department_scoped(),
    # Flagging one's own post is refused as input (400, "you cannot flag your own post").
    ("POST", "/p/<id:post_id>/flag"): department_scoped(body=lambda w, v: {"reason": "Off topic."}),
    ("POST", "/p/<id:post_id>/react"): Access(
        OWN_ONLY, ALL, DEPT, body=lambda w, v: {"kind": "helpful"}
    ),
    ("GET", "/moderation/flags"): from_role("admin"),
    # A flag on a board one does not moderate does not exist for them (404).
    ("POST", "/moderation/flags/<id:flag_id>"): Access(
        FLAGS, FLAGS, FLAGS, body=lambda w, v: {"action": "dismiss"}
    ),
    # --- uploads: a file is as visible as the threads that use it (here, its owner's thread on
    # the variant's board); signed out, the browser is sent to sign in ---
    ("GET", "/uploads/<id:upload_id>/<name>"): department_scoped(),
    ("GET", "/uploads/<id:upload_id>/thumb/<name>"): department_scoped(),
    ("POST", "/uploads"): staff(),
    ("POST", "/api/v1/uploads"): staff(),
    ("GET", "/api/v1/boards"): staff(),
    ("GET", "/api/v1/boards/<slug>/threads"): department_scoped(),
    ("POST", "/api/v1/threads"): staff(
        body=lambda w, v: {
            "board": "matrix-staff-board",
            "kind": "question",
            "title": unique("Api"),
            "body": "Body.",
        }
    ),
    ("GET", "/api/v1/threads/<id:thread_id>"): department_scoped(),
    ("POST", "/api/v1/threads/<id:thread_id>/posts"): department_scoped(
        body=lambda w, v: {"body": "A reply."}
    ),
    ("POST", "/api/v1/threads/<id:thread_id>/solution"): Access(ALL, HANDLE, DEPT),
    ("DELETE", "/api/v1/threads/<id:thread_id>"): Access(ALL, MODERATE, MODERATE_DEPT),
    ("POST", "/api/v1/threads/<id:thread_id>/restore"): Access(MODERATE, MODERATE, MODERATE_DEPT),
    # A reply id that is not in the thread: refused as input (400) past the gate.
    ("POST", "/api/v1/threads/<id:thread_id>/split"): Access(
        MODERATE,
        MODERATE,
        MODERATE_DEPT,
        body=lambda w, v: {"posts": [999999], "title": "Split", "kind": "question"},
    ),
    ("POST", "/api/v1/threads/<id:thread_id>/kind"): Access(
        MODERATE, MODERATE, MODERATE_DEPT, body=lambda w, v: {"kind": "fix"}
    ),
    # Merging into a thread that does not exist: refused as input (400) past the gate.
    ("POST", "/api/v1/threads/<id:thread_id>/merge"): Access(
        MODERATE, MODERATE, MODERATE_DEPT, body=lambda w, v: {"into": 999999}
    ),
    ("POST", "/api/v1/threads/<id:thread_id>/escalations"): department_scoped(
        body=lambda w, v: {"reason": "Needs help.", "urgency": "urgent"}
    ),
    ("GET", "/api/v1/posts/<id:post_id>"): department_scoped(),
    ("PATCH", "/api/v1/posts/<id:post_id>"): Access(
        ALL, MODERATE, MODERATE_DEPT, body=lambda w, v: {"body": "Edited."}
    ),
    ("DELETE", "/api/v1/posts/<id:post_id>"): Access(ALL, MODERATE, MODERATE_DEPT),
    # --- escalations: whoever escalated sees theirs; seniors and admins handle all ---
    ("GET", "/inbox"): from_role("senior"),
    ("GET", "/escalations/<id:escalation_id>"): Access(ALL, HANDLE, HANDLE),
    ("POST", "/escalations/<id:escalation_id>/acknowledge"): from_role("senior"),
    ("POST", "/escalations/<id:escalation_id>/notes"): from_role(
        "senior", body=lambda w, v: {"note": "A note."}
    ),
    ("POST", "/escalations/<id:escalation_id>/reassign"): from_role(
        "senior", body=lambda w, v: {"assignee": str(w.actors["senior"].user.id)}
    ),
    ("POST", "/escalations/<id:escalation_id>/resolve"): from_role(
        "senior", body=lambda w, v: {"note": "Done."}
    ),
    # Reopening needs a resolved escalation; the open one here is refused as input (400)
    # for those who may reopen, and as a 403 for everyone else.
    ("POST", "/escalations/<id:escalation_id>/reopen"): Access(
        ALL, HANDLE, HANDLE, body=lambda w, v: {"reason": "Again."}
    ),
    ("GET", "/api/v1/escalations"): from_role("senior"),
    ("GET", "/api/v1/escalations/<id:escalation_id>"): Access(ALL, HANDLE, HANDLE),
    ("POST", "/api/v1/escalations/<id:escalation_id>/acknowledge"): from_role("senior"),
    ("POST", "/api/v1/escalations/<id:escalation_id>/reassign"): from_role(
        "senior", body=lambda w, v: {"assignee_id": w.actors["senior"].user.id}
    ),
    ("POST", "/api/v1/escalations/<id:escalation_id>/resolve"): from_role(
        "senior", body=lambda w, v: {"note": "Done."}
    ),
    # --- registry: every profile is visible to staff; owners, the department's enthusiasts,
    # seniors and admins edit; only admins archive ---
    ("GET", "/profiles"): staff(),
    ("GET", "/profiles/verify"): staff(query="url=https://x.com/matrix_known"),
    # "Is this account ours?" and the badge pages: staff, and anyone once PUBLIC_VERIFY is on.
    ("GET", "/verify"): staff(query="url=https://x.com/matrix_known", public_when="PUBLIC_VERIFY"),
    ("GET", "/verify/<badge_key>"): staff(public_when="PUBLIC_VERIFY"),
    ("GET", "/api/v1/verify"): staff(
        query="url=https://x.com/matrix_known", public_when="PUBLIC_VERIFY"
    ),
    ("GET", "/profiles/export.csv"): staff(),
    ("GET", "/profiles/new"): staff(),
    ("POST", "/profiles/new"): staff(),
    ("GET", "/profiles/import"): staff(),
    ("POST", "/profiles/import"): staff(),
    ("POST", "/profiles/import/apply"): staff(),
    ("GET", "/profiles/<id:profile_id>"): staff(),
    ("GET", "/profiles/<id:profile_id>/edit"): Access(ALL, APPROVE, APPROVE_DEPT),
    ("POST", "/profiles/<id:profile_id>/edit"): Access(ALL, APPROVE, APPROVE_DEPT),
    ("POST", "/profiles/<id:profile_id>/review"): Access(ALL, APPROVE, APPROVE_DEPT),
    # Owners may mark their profile dormant; the department's enthusiasts and seniors any.
    ("POST", "/profiles/<id:profile_id>/status"): Access(
        ALL,
        APPROVE,
        APPROVE_DEPT,
        body=lambda w, v: {"status": "dormant", "reason": "Quiet for a while."},
    ),
    # Anyone signed in may link a thread they can see to any profile.
    ("POST", "/profiles/<id:profile_id>/threads"): staff(
        body=lambda w, v: {"thread": str(w.staff_thread_id)}
    ),
    # Whoever linked it (the owner here) or the profile's editors unlink.
    ("POST", "/profiles/<id:profile_id>/threads/<id:thread_id>/unlink"): Access(
        ALL, APPROVE, APPROVE_DEPT
    ),
    ("GET", "/api/v1/profiles"): staff(),
    ("POST", "/api/v1/profiles"): staff(),
    ("GET", "/api/v1/profiles/lookup"): staff(query="url=https://x.com/matrix_known"),
    ("GET", "/api/v1/profiles/export.csv"): staff(),
    ("POST", "/api/v1/profiles/import"): staff(),
    ("GET", "/api/v1/profiles/<id:profile_id>"): staff(),
    ("GET", "/api/v1/profiles/<id:profile_id>/history"): staff(),
    ("PATCH", "/api/v1/profiles/<id:profile_id>"): Access(
        ALL, APPROVE, APPROVE_DEPT, body=lambda w, v: {"display_name": unique("Renamed")}
    ),
    ("POST", "/api/v1/profiles/<id:profile_id>/reviews"): Access(ALL, APPROVE, APPROVE_DEPT),
    ("DELETE", "/api/v1/profiles/<id:profile_id>"): ADMIN,
    # --- insights and strategy: enthusiasts up see the dashboard; everyone reads the strategy;
    # seniors endorse; admins edit ---
    ("GET", "/insights"): from_role("enthusiast"),
    ("GET", "/insights/<name>.csv"): from_role("enthusiast"),
    ("GET", "/api/v1/insights"): from_role("enthusiast"),
    ("GET", "/strategy"): staff(),
    ("GET", "/strategy/versions"): staff(),
    ("GET", "/strategy/v/<id:number>"): staff(),
    ("POST", "/strategy/v/<id:number>/endorse"): from_role("senior"),
    ("GET", "/strategy/edit"): from_role("senior"),
    ("POST", "/strategy/edit"): from_role("senior"),
    # --- meet-ups: seen by those who see their board; organizers, moderators, admins manage ---
    ("GET", "/meetups"): staff(),
    ("GET", "/meetups/new"): staff(),
    ("POST", "/meetups/new"): staff(body=lambda w, v: meetup_form(board=w.staff_board.slug)),
    ("GET", "/meetups/<id:meetup_id>"): department_scoped(),
    ("GET", "/meetups/<id:meetup_id>.ics"): department_scoped(),
    ("POST", "/meetups/<id:meetup_id>/rsvp"): department_scoped(
        body=lambda w, v: {"answer": "going"}
    ),
    ("GET", "/meetups/<id:meetup_id>/edit"): Access(ALL, MODERATE, MODERATE_DEPT),
    ("POST", "/meetups/<id:meetup_id>/edit"): Access(
        ALL, MODERATE, MODERATE_DEPT, body=lambda w, v: meetup_form()
    ),
    ("POST", "/meetups/<id:meetup_id>/cancel"): Access(ALL, MODERATE, MODERATE_DEPT),
    # The feed of upcoming meet-ups opens with the boards' feed key (see the boards' feeds).
    ("GET", "/feeds/<id:user_id>/<key>/meetups.xml"): FEED,
    ("GET", "/api/v1/meetups"): staff(),
    ("GET", "/api/v1/meetups/<id:meetup_id>"): department_scoped(),
    ("POST", "/api/v1/meetups/<id:meetup_id>/rsvp"): department_scoped(
        body=lambda w, v: {"answer": "going"}
    ),
    # --- people: everyone's page and the directory are open to staff; one's own skills ---
    # (a deactivated person's page stays open too, so old author links keep working)
    ("GET", "/u/<handle>"): staff(),
    ("GET", "/people"): staff(query="skill=Matrix"),
    ("GET", "/api/v1/people"): staff(query="skill=Matrix"),
    ("GET", "/people/me/skills"): staff(),
    ("POST", "/people/me/skills"): staff(),
    ("POST", "/people/me/suggestions"): staff(
        body=lambda w, v: {"suggestion": unique("Suggested skill")}
    ),
    # --- people and departments over the API: admins manage, everyone lists departments ---
    ("GET", "/api/v1/departments"): staff(),
    ("POST", "/api/v1/departments"): from_role(
        "admin", body=lambda w, v: {"slug": unique("dept"), "name": "Department"}
    ),
    ("POST", "/api/v1/boards"): from_role(
        "admin", body=lambda w, v: {"slug": unique("board"), "name": "Board"}
    ),
    ("GET", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("GET", "/api/v1/users/<id:user_id>"): ADMIN,
    ("PATCH", "/api/v1/users/<id:user_id>"): from_role(
        "admin", body=lambda w, v: {"display_name": "Renamed"}
    ),
    ("POST", "/api/v1/users/invitations"): from_role(
        "admin", body=lambda w, v: {"email": unique("invitee") + "@example.org"}
    ),
    # --- hand-overs: admins only (the world opens one for the person named) ---
    ("GET", "/api/v1/users/<id:user_id>/handover"): ADMIN,
    ("POST", "/api/v1/users/<id:user_id>/handover/reassign"): from_role(
        "admin", body=lambda w, v: {"to_user_id": w.writer.id}
    ),
    ("POST", "/api/v1/users/<id:user_id>/handover/close"): ADMIN,
}

# Every admin page: admins only, whatever the object (the one guard, `admin_required`).
ADMIN_PAGES = [
    ("GET", "/admin"),
    ("GET", "/admin/alerts"),
    ("GET", "/admin/alerts/mail"),
    ("GET", "/admin/alerts/mail/<name>"),
    ("GET", "/admin/alerts/messages/<id:message_id>"),
    ("POST", "/admin/alerts/messages/<id:message_id>/retry"),
    ("GET", "/admin/alerts/webhooks"),
    ("GET", "/admin/alerts/webhooks/new"),
    ("POST", "/admin/alerts/webhooks/new"),
    ("GET", "/admin/alerts/webhooks/<id:endpoint_id>"),
    ("POST", "/admin/alerts/webhooks/<id:endpoint_id>"),
    ("POST", "/admin/alerts/webhooks/<id:endpoint_id>/rotate"),
    ("POST", "/admin/alerts/webhooks/<id:endpoint_id>/test"),
    ("GET", "/admin/boards"),
    ("GET", "/admin/boards/new"),
    ("POST", "/admin/boards/new"),
    ("GET", "/admin/boards/<id:board_id>"),
    ("POST", "/admin/boards/<id:board_id>"),
    ("GET", "/admin/departments"),
    ("POST", "/admin/departments"),
    ("POST", "/admin/departments/<id:department_id>"),
    ("GET", "/admin/escalation-policies"),
    ("POST", "/admin/escalation-policies"),
    ("GET", "/admin/escalation-policies/<id:policy_id>"),
    ("POST", "/admin/escalation-policies/<id:policy_id>"),
    ("POST", "/admin/escalation-policies/<id:policy_id>/delete"),
    ("POST", "/admin/escalation-policies/<id:policy_id>/levels"),
    ("POST", "/admin/escalation-policies/<id:policy_id>/levels/<id:level_id>/delete"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users/invite"),
    ("GET", "/admin/users/<id:user_id>"),
    ("POST", "/admin/users/<id:user_id>/unlock"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/audit.csv"),
    ("GET", "/admin/two-factor"),
    ("POST", "/admin/two-factor"),
    ("GET", "/admin/handovers"),
    ("GET", "/admin/handovers/<id:handover_id>"),
    ("POST", "/admin/handovers/<id:handover_id>/reassign"),
    ("POST", "/admin/handovers/<id:handover_id>/close"),
    ("GET", "/admin/skills"),
    ("POST", "/admin/skills"),
    ("POST", "/admin/skills/<id:skill_id>/rename"),
    ("POST", "/admin/skills/<id:skill_id>/retire"),
    ("POST", "/admin/skills/<id:skill_id>/restore"),
    ("POST", "/admin/skills/<id:skill_id>/approve"),
    ("POST", "/admin/skills/<id:skill_id>/reject"),
]
POLICY.update(dict.fromkeys(ADMIN_PAGES, ADMIN))
# An admin saving their own page with an empty form would demote or deactivate themselves
# (refused as input, but sign in again to be sure the next cell starts clean).
POLICY[("POST", "/admin/users/<id:user_id>")] = from_role("admin", disruptive=True)
