"""registry: canonical URLs keep their host in IDNA (punycode) form

Lookups now turn "https://münchen.de/x" and "https://xn--mnchen-3ya.de/x" into the second
form, so records saved with a Unicode host are rewritten to match. No schema change. A
record whose host mixes scripts (a look-alike such as a Cyrillic "а" in a Latin name) is
rewritten too, and listed in the log: new input like it is refused, so review it by hand.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 09:00:00

"""
import logging
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import idna
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

# The scripts allowed together in one host (forum.registry.canonical.base, as of this revision).
ALLOWED_SCRIPT_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
ALIASES = {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "KATAKANA-HIRAGANA": "KATAKANA"}


def _mixes_scripts(host):
    scripts = {
        ALIASES.get(word, word)
        for word in (
            unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
            for ch in host
            if unicodedata.category(ch).startswith("L")
        )
    }
    return len(scripts) > 1 and not any(scripts <= mix for mix in ALLOWED_SCRIPT_MIXES)


def _ascii_url(url):
    """`url` with its host in IDNA form, or None when it already is (or cannot be)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return None
    if host.isascii():
        return None
    try:
        ascii_host = ".".join(
            label if label.isascii() else idna.encode(label, uts46=True).decode("ascii")
            for label in host.split(".")
        )
    except (idna.IDNAError, UnicodeError):
        return None
    netloc = ascii_host + (f":{port}" if port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def upgrade():
    profiles = sa.table(
        'social_profiles',
        sa.column('id', sa.Integer),
        sa.column('canonical_url', sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(profiles.c.id, profiles.c.canonical_url)).all()
    for profile_id, url in rows:
        ascii_url = _ascii_url(url)
        if ascii_url is None:
            continue
        connection.execute(
            profiles.update().where(profiles.c.id == profile_id).values(canonical_url=ascii_url)
        )
        if _mixes_scripts(urlsplit(url).hostname or ""):
            logger.warning(
                "social profile %s has a look-alike host (mixed scripts): %s; review it",
                profile_id,
                ascii_url,
            )


def downgrade():
    # The IDNA form is a valid address of the same host, and which records were typed in
    # Unicode is not recorded: the rows stay as they are.
    pass
